// Search by face over the dossiers (FindFace's Search → Dossiers): every dossier face of the query's model in the
// identity store is compared with the query vector, each dossier scored by its most similar face.
//
// The API holds no face index (the match stage does, in its own process), so the faces are read from PostgreSQL a
// page at a time: exact, and linear in the number of faces (10k faces ≈ 20 MB of vectors read and 5 M
// multiply-adds, tens of milliseconds). A gallery far beyond that would want the match stage's index behind the API.
import { dot } from '../../models/embedders/l2-normalise.ts';
import type { Db } from '../../stores/postgres/db.ts';
import { listDossierFaces } from '../../stores/postgres/repositories/dossier-faces.ts';
import { getDossier } from '../../stores/postgres/repositories/dossiers.ts';

export interface SimilarDossier {
  readonly dossierId: number;
  /** the dossier's face most similar to the query */
  readonly dossierFaceId: number;
  readonly confidence: number;
}

const PAGE = 1000;

/** Dossiers with a face at least `threshold` similar to `vector`, most similar first (ties by dossier id). */
export async function searchSimilarDossiers(
  db: Db,
  query: {
    readonly vector: Float32Array;
    readonly modelId: string;
    readonly threshold: number;
    /** only dossiers on one of these lists or on none (what a reader with rights on these lists sees); absent = all */
    readonly visibleWatchListIds?: readonly number[];
  },
): Promise<SimilarDossier[]> {
  const best = new Map<number, SimilarDossier>();
  const visible = query.visibleWatchListIds ? { visible_watch_list_ids: query.visibleWatchListIds } : {};
  for (let after: number | undefined; ; ) {
    const faces = await listDossierFaces(db, { limit: PAGE, ...visible, ...(after !== undefined ? { after_id: after } : {}) });
    for (const f of faces) {
      if (f.model_id !== query.modelId || f.embedding.length !== query.vector.length) continue;
      const confidence = Math.round(dot(f.embedding, query.vector) * 1e6) / 1e6;
      if (confidence < query.threshold) continue;
      const seen = best.get(f.dossier_id);
      if (!seen || confidence > seen.confidence) best.set(f.dossier_id, { dossierId: f.dossier_id, dossierFaceId: f.id, confidence });
    }
    if (faces.length < PAGE) break;
    after = faces[faces.length - 1]!.id;
  }
  return [...best.values()].sort((a, b) => b.confidence - a.confidence || a.dossierId - b.dossierId);
}

export interface DuplicateDossier {
  readonly dossier: number;
  readonly name: string;
  readonly face: number;
  readonly confidence: number;
}

/**
 * The duplicate-dossier warning of an added face: other dossiers (not `dossierId`) the reader sees that hold a face at
 * least `threshold` similar, most similar first, with their names.
 */
export async function duplicateDossiers(
  db: Db,
  added: { readonly dossierId: number; readonly vector: Float32Array; readonly modelId: string; readonly threshold: number; readonly visibleWatchListIds?: readonly number[] },
): Promise<DuplicateDossier[]> {
  const similar = (await searchSimilarDossiers(db, added)).filter((s) => s.dossierId !== added.dossierId);
  const named = await Promise.all(similar.map(async (s) => ({ s, dossier: await getDossier(db, s.dossierId) })));
  // a dossier deleted between the two reads is no duplicate any more
  return named.flatMap(({ s, dossier }) => (dossier ? [{ dossier: s.dossierId, name: dossier.name, face: s.dossierFaceId, confidence: s.confidence }] : []));
}
