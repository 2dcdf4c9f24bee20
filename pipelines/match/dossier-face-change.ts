// One record of the `dossiers` topic (or of the in-process relay) applied to a matcher's index: an upsert enrols the
// face (replacing an older vector of the same id), a tombstone removes it. Pure apart from the index it is given.
import type { DossierFace } from '../../schemas/generated/avro-types.ts';
import { float32FromBytes } from '../../schemas/float32-bytes.ts';
import { openRule } from './decide.ts';
import type { FaceIndex } from './face-index.ts';
import type { WatchListRules } from './list-rules.ts';

/** A compacted-topic record: key = dossierFaceId, value = the face, or null (tombstone) when no matcher may hold it. */
export interface DossierFaceChange {
  readonly key: string;
  readonly value: DossierFace | null;
}

export type AppliedChange =
  | { readonly kind: 'added' }
  | { readonly kind: 'removed'; readonly wasIndexed: boolean }
  /** not for this matcher (another embedder, another dimension): any older version of it is removed */
  | { readonly kind: 'skipped'; readonly reason: string };

export interface ApplyOptions {
  /** the embedder whose vectors this matcher compares; faces of other models are skipped. Absent: every model. */
  readonly modelId?: string;
  /** where the match stage learns each face's lists and their rules; kept in step with the index */
  readonly rules?: WatchListRules;
}

export function applyDossierFaceChange(index: FaceIndex, change: DossierFaceChange, opts: ApplyOptions = {}): AppliedChange {
  const face = change.value;
  opts.rules?.deleteFace(change.key);
  if (face === null || face.watchLists.length === 0) return { kind: 'removed', wasIndexed: index.remove([change.key]) > 0 };
  if (opts.modelId !== undefined && face.modelId !== opts.modelId) {
    index.remove([change.key]);
    return { kind: 'skipped', reason: `model ${face.modelId}, this matcher compares ${opts.modelId}` };
  }
  const vector = float32FromBytes(face.vector);
  if (index.dim !== 0 && vector.length !== index.dim) {
    index.remove([change.key]);
    return { kind: 'skipped', reason: `dimension ${vector.length}, the index holds ${index.dim}` };
  }
  // Events name dossiers and watch lists by id, as the API does. The index keeps the dossier's first list; the rules
  // keep them all (a record written before watchListRules: its lists without rules).
  index.add([{ id: change.key, dossier: face.dossierId, watchList: face.watchLists[0]!, vector }]);
  opts.rules?.setFace(change.key, face.watchListRules.length > 0 ? face.watchListRules : face.watchLists.map(openRule));
  return { kind: 'added' };
}
