// Dossier faces: FindFace's /dossier-faces/: an enrolled photo's face with its embedding (float32 bytea).
import type { Queryable } from '../db.ts';
import type { DossierFace, DossierFacePatch, MatchableFace, NewDossierFace, Page } from '../rows.ts';
import { assignments, pageParams } from '../sql.ts';
import { ON_VISIBLE_LISTS } from './dossiers.ts';
import type { ColumnKind } from '../sql.ts';
// embeddings in a bytea as on Kafka: float32 little-endian (Debian's PostgreSQL has no pgvector)
import { float32FromBytes, float32ToBytes } from '../../../schemas/float32-bytes.ts';

interface FaceRow {
  readonly id: number;
  readonly dossier_id: number;
  readonly model_id: string;
  readonly embedding: Uint8Array;
  readonly quality: number;
  readonly thumbnail: string | null;
  readonly source_photo: string | null;
  readonly source_photo_name: string;
  readonly create_from: string | null;
  readonly bbox_left: number;
  readonly bbox_top: number;
  readonly bbox_right: number;
  readonly bbox_bottom: number;
  readonly created_date: Date;
  readonly modified_date: Date;
}

const FIELDS = `id, dossier_id, model_id, embedding, quality, thumbnail, source_photo, source_photo_name, create_from,
  bbox_left, bbox_top, bbox_right, bbox_bottom, created_date, modified_date`;

function toFace(r: FaceRow): DossierFace {
  return {
    id: r.id,
    dossier_id: r.dossier_id,
    model_id: r.model_id,
    embedding: float32FromBytes(r.embedding),
    quality: r.quality,
    thumbnail: r.thumbnail,
    source_photo: r.source_photo,
    source_photo_name: r.source_photo_name,
    create_from: r.create_from,
    bbox: { left: r.bbox_left, top: r.bbox_top, right: r.bbox_right, bottom: r.bbox_bottom },
    created_date: r.created_date,
    modified_date: r.modified_date,
  };
}

const PATCH_COLUMNS: Readonly<Record<keyof DossierFacePatch, ColumnKind>> = {
  thumbnail: 'value',
  source_photo: 'value',
  source_photo_name: 'value',
};

export async function createDossierFace(q: Queryable, face: NewDossierFace): Promise<DossierFace> {
  const { rows } = await q.query<FaceRow>(
    `INSERT INTO dossier_faces (dossier_id, model_id, dimensions, embedding, quality, thumbnail, source_photo,
       source_photo_name, create_from, bbox_left, bbox_top, bbox_right, bbox_bottom)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
     RETURNING ${FIELDS}`,
    [
      face.dossier_id,
      face.model_id,
      face.embedding.length,
      float32ToBytes(face.embedding),
      face.quality,
      face.thumbnail ?? null,
      face.source_photo ?? null,
      face.source_photo_name ?? '',
      face.create_from ?? null,
      face.bbox.left,
      face.bbox.top,
      face.bbox.right,
      face.bbox.bottom,
    ],
  );
  return toFace(rows[0]!);
}

export async function getDossierFace(q: Queryable, id: number): Promise<DossierFace | undefined> {
  const { rows } = await q.query<FaceRow>(`SELECT ${FIELDS} FROM dossier_faces WHERE id = $1`, [id]);
  return rows[0] && toFace(rows[0]);
}

export interface DossierFaceFilter extends Page {
  readonly dossier_id?: number;
  /** Only faces of dossiers a user may see: on one of these lists, or on none (see dossiers.ts). */
  readonly visible_watch_list_ids?: readonly number[];
}

export async function listDossierFaces(q: Queryable, filter: DossierFaceFilter = {}): Promise<DossierFace[]> {
  const [after, limit] = pageParams(filter);
  const { rows } = await q.query<FaceRow>(
    `SELECT ${FIELDS} FROM dossier_faces
     WHERE id > $1 AND ($3::integer IS NULL OR dossier_id = $3) AND ($4::integer[] IS NULL OR ${ON_VISIBLE_LISTS('dossier_faces.dossier_id', '$4')})
     ORDER BY id LIMIT $2`,
    [after, limit, filter.dossier_id ?? null, filter.visible_watch_list_ids ? [...filter.visible_watch_list_ids] : null],
  );
  return rows.map(toFace);
}

/** Only the photo references change; a new embedding is a new face. */
export async function updateDossierFace(q: Queryable, id: number, patch: DossierFacePatch): Promise<DossierFace | undefined> {
  const set = assignments(patch, PATCH_COLUMNS, 2);
  if (set.sql === '') return getDossierFace(q, id);
  const { rows } = await q.query<FaceRow>(`UPDATE dossier_faces SET ${set.sql} WHERE id = $1 RETURNING ${FIELDS}`, [id, ...set.params]);
  return rows[0] && toFace(rows[0]);
}

export async function deleteDossierFace(q: Queryable, id: number): Promise<boolean> {
  return (await q.query('DELETE FROM dossier_faces WHERE id = $1', [id])).rowCount > 0;
}

/**
 * SQL from FROM on: the faces a matcher must hold — `f` a face whose dossier `d` is active and on at least one active
 * watch list, `lists.ids` those lists ascending. Callers add `AND …` conditions.
 */
export const MATCHABLE_FACES_FROM = `FROM dossier_faces f
  JOIN dossiers d ON d.id = f.dossier_id AND d.active
  CROSS JOIN LATERAL (
    SELECT ARRAY(SELECT l.watch_list_id FROM dossier_watch_lists l JOIN watch_lists w ON w.id = l.watch_list_id AND w.active
                 WHERE l.dossier_id = d.id ORDER BY 1) AS ids
  ) lists
  WHERE cardinality(lists.ids) > 0`;

/**
 * What a matcher loads at start, a page at a time: the faces of `model_id` whose dossier is active and on at least one
 * active watch list, each with those lists.
 */
export async function listMatchableFaces(q: Queryable, modelId: string, page: Page = {}): Promise<MatchableFace[]> {
  const [after, limit] = pageParams(page);
  const { rows } = await q.query<{ id: number; dossier_id: number; embedding: Uint8Array; quality: number; watch_list_ids: number[] }>(
    `SELECT f.id, f.dossier_id, f.embedding, f.quality, lists.ids AS watch_list_ids ${MATCHABLE_FACES_FROM}
       AND f.model_id = $3 AND f.id > $1
     ORDER BY f.id LIMIT $2`,
    [after, limit, modelId],
  );
  return rows.map((r) => ({ ...r, embedding: float32FromBytes(r.embedding) }));
}
