// Event deduplication per camera group: the pure rule (rules.ts) and what it reads of a face event. Not yet a
// running stage: docs/COUNTERS.md ("Event deduplication") says where it goes and what remains.
export { dedupEvent, emptyDedup, type DedupEvent, type DedupRule, type DedupState, type DedupStep } from './rules.ts';

import type { FaceEvent } from '../../schemas/records.ts';
import type { DedupEvent } from './rules.ts';

export const dedupEventOf = (e: FaceEvent): DedupEvent => ({
  id: e.id,
  ts: e.embedding.post.frame.ts,
  dossier: e.matched ? e.dossier : null,
  vector: e.embedding.vector,
  quality: e.embedding.post.face.quality,
});
