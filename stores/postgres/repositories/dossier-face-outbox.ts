// The outbox of what matchers hold (migration 002): the faces whose matcher state changed, and that state — what the
// relay (enrolment/watchlist-sync/) publishes on the `dossiers` topic.
import type { Queryable } from '../db.ts';
import type { Page } from '../rows.ts';
import { pageParams } from '../sql.ts';
import { MATCHABLE_FACES_FROM } from './dossier-faces.ts';

/** The NOTIFY channel the outbox's trigger signals at every commit that queued rows. */
export const OUTBOX_CHANNEL = 'dossier_face_outbox';

/** pg_try_advisory_xact_lock key held while one relay drains the outbox, so two relays never publish out of order. */
const RELAY_LOCK = 4_617_315_517_961_602;

export interface OutboxRow {
  /** bigint, as text (JavaScript numbers stop being exact at 2^53) */
  readonly id: string;
  readonly dossier_face_id: number;
}

/** A face as a matcher holds it: an active dossier's face on at least one active watch list. */
export interface MatchableFaceState {
  readonly id: number;
  readonly dossier_id: number;
  readonly dossier_name: string;
  /** the active watch lists the dossier is on, ascending; never empty */
  readonly watch_list_ids: readonly number[];
  readonly model_id: string;
  /** float32 little-endian, as stored and as on Kafka */
  readonly embedding: Uint8Array;
  readonly quality: number;
  /** the source photo's path in the thumbnail store, else the thumbnail's, else '' */
  readonly photo: string;
  /** the latest change of the face or its dossier */
  readonly modified_date: Date;
}

/** Takes the relay lock for the caller's transaction; false when another relay holds it. */
export async function tryRelayLock(tx: Queryable): Promise<boolean> {
  const { rows } = await tx.query<{ locked: boolean }>(`SELECT pg_try_advisory_xact_lock(${RELAY_LOCK}) AS locked`);
  return rows[0]?.locked === true;
}

/** The oldest `limit` outbox rows. */
export async function pendingOutbox(q: Queryable, limit: number): Promise<OutboxRow[]> {
  const { rows } = await q.query<OutboxRow>('SELECT id::text AS id, dossier_face_id FROM dossier_face_outbox ORDER BY id LIMIT $1', [limit]);
  return rows;
}

/** Deletes outbox rows by id; resolves to how many were deleted. */
export async function deleteOutbox(q: Queryable, ids: readonly string[]): Promise<number> {
  return (await q.query('DELETE FROM dossier_face_outbox WHERE id = ANY($1::bigint[])', [[...ids]])).rowCount;
}

/** Outbox rows waiting (for tests and metrics). */
export async function outboxLength(q: Queryable): Promise<number> {
  const { rows } = await q.query<{ n: number }>('SELECT count(*)::integer AS n FROM dossier_face_outbox');
  return rows[0]?.n ?? 0;
}

const MATCHABLE = `SELECT f.id, f.dossier_id, d.name AS dossier_name, lists.ids AS watch_list_ids, f.model_id, f.embedding, f.quality,
    coalesce(f.source_photo, f.thumbnail, '') AS photo, greatest(f.modified_date, d.modified_date) AS modified_date
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
