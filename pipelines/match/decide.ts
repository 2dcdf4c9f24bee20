// Pure match decisions: the event id and what the best candidate means for the event.
import { createHash } from 'node:crypto';
import type { MatchCandidate } from '../../schemas/records.ts';

/**
 * Deterministic event id: the same post always gets the same id, so a replayed or re-processed post updates
 * its event instead of adding one (sha1 hex, 16 chars = 64 bits, FindFace ids are 64-bit too).
 */
export function eventId(camera: string, trackId: string, postNo: number): string {
  return createHash('sha1').update(`${camera}\u0000${trackId}\u0000${postNo}`).digest('hex').slice(0, 16);
}

export interface MatchDecision {
  readonly matched: boolean;
  readonly dossier: string | null;
  readonly confidence: number;
}

/** `candidates` best first; matched when the best reaches the threshold. */
export function decideMatch(candidates: readonly MatchCandidate[], threshold: number): MatchDecision {
  const best = candidates[0];
  if (best === undefined) return { matched: false, dossier: null, confidence: 0 };
  const matched = best.confidence >= threshold;
  return { matched, dossier: matched ? best.dossier : null, confidence: best.confidence };
}
