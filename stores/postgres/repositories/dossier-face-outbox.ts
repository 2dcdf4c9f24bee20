// The outbox of what matchers hold (migration 002): the faces whose matcher state changed, and that state — what the
// relay (enrolment/watchlist-sync/) publishes on the `dossiers` topic.
import type { Queryable } from '../db.ts';
import type { Page } from '../rows.ts';
import { pageParams } from '../sql.ts';
import { MATCHABLE_FACES_FROM } from './dossier-faces.ts';
import { outboxTable } from './outbox-table.ts';

/** The outbox's rows: the faces whose matcher state may have changed (NOTIFY dossier_face_outbox). */
export const DOSSIER_FACE_OUTBOX_TABLE = outboxTable('dossier_face_outbox', 'dossier_face_id', 4_617_315_517_961_602);

/** Outbox rows waiting (for tests and metrics). */
export const outboxLength = (q: Queryable): Promise<number> => DOSSIER_FACE_OUTBOX_TABLE.length(q);

/** What a matcher needs of one of the dossier's watch lists (the match rule, pipelines/match/decide.ts). */
export interface MatchableWatchList {
  readonly id: number;
  /** null: the camera's, its group's or the global threshold */
  readonly confidence_threshold: number | null;
  /** ascending; empty = every camera */
  readonly camera_group_ids: readonly number[];
}

/** A face as a matcher holds it: an active dossier's face on at least one active watch list. */
export interface MatchableFaceState {
  readonly id: number;
  readonly dossier_id: number;
  readonly dossier_name: string;
  /** the active watch lists the dossier is on, ascending; never empty */
  readonly watch_list_ids: readonly number[];
  /** the same lists, in the same order, with their thresholds and camera groups */
  readonly watch_lists: readonly MatchableWatchList[];
  readonly model_id: string;
  /** float32 little-endian, as stored and as on Kafka */
  readonly embedding: Uint8Array;
  readonly quality: number;
  /** the source photo's path in the thumbnail store, else the thumbnail's, else '' */
  readonly photo: string;
  /** the latest change of the face or its dossier */
  readonly modified_date: Date;
}

// real thresholds through json keep their shortest text (0.8, not 0.800000011920929 as a float8 cast would)
const MATCHABLE = `SELECT f.id, f.dossier_id, d.name AS dossier_name, lists.ids AS watch_list_ids, f.model_id, f.embedding, f.quality,
    coalesce(f.source_photo, f.thumbnail, '') AS photo, greatest(f.modified_date, d.modified_date) AS modified_date,
    (SELECT json_agg(json_build_object('id', w.id, 'confidence_threshold', w.confidence_threshold, 'camera_group_ids',
              ARRAY(SELECT g.camera_group_id FROM watch_list_camera_groups g WHERE g.watch_list_id = w.id ORDER BY 1)) ORDER BY w.id)
       FROM watch_lists w WHERE w.id = ANY(lists.ids)) AS watch_lists
  ${MATCHABLE_FACES_FROM}`;

/** Those of `faceIds` a matcher must hold, with their state; a face missing from the answer must be dropped. */
export async function matchableFacesById(q: Queryable, faceIds: readonly number[]): Promise<MatchableFaceState[]> {
  const { rows } = await q.query<MatchableFaceState>(`${MATCHABLE} AND f.id = ANY($1::integer[]) ORDER BY f.id`, [[...faceIds]]);
  return rows;
}

/** Every face a matcher must hold, of all models, a page at a time by id. */
export async function matchableFaces(q: Queryable, page: Page = {}): Promise<MatchableFaceState[]> {
  const [after, limit] = pageParams(page);
  const { rows } = await q.query<MatchableFaceState>(`${MATCHABLE} AND f.id > $1 ORDER BY f.id LIMIT $2`, [after, limit]);
  return rows;
}
