// A face's matcher state in the identity store → the `dossiers` topic's record (schemas/avro/DossierFace.avsc).
// Ids travel as decimal strings, as events name dossiers and watch lists.
import type { DossierFace } from '../../schemas/generated/avro-types.ts';
import type { MatchableFaceState } from '../../stores/postgres/repositories/dossier-face-outbox.ts';
import type { DossierFaceChange } from '../../pipelines/match/dossier-face-change.ts';

export function dossierFaceRecord(face: MatchableFaceState): DossierFace {
  return {
    dossierFaceId: String(face.id),
    dossierId: String(face.dossier_id),
    dossierName: face.dossier_name,
    watchLists: face.watch_list_ids.map(String),
    watchListRules: face.watch_lists.map((l) => ({ id: String(l.id), confidenceThreshold: l.confidence_threshold, cameraGroups: l.camera_group_ids.map(String) })),
    modelId: face.model_id,
    vector: Buffer.from(face.embedding.buffer, face.embedding.byteOffset, face.embedding.byteLength),
    quality: face.quality,
    photo: face.photo,
    updatedAt: face.modified_date.getTime(),
  };
}

/** The changes for `faceIds` given those of them a matcher must hold: an upsert each, a tombstone for the rest. */
export function dossierFaceChanges(faceIds: readonly number[], matchable: readonly MatchableFaceState[]): DossierFaceChange[] {
  const held = new Map(matchable.map((f) => [f.id, f]));
  return [...new Set(faceIds)].map((id) => {
    const face = held.get(id);
    return { key: String(id), value: face ? dossierFaceRecord(face) : null };
  });
}
