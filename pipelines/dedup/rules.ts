// FindFace's event deduplication per camera group (PRODUCT-REFERENCE.md §2.1 row 26, "Deduplicate Events"), as a
// pure rule: within a group with `deduplicate` on, an event is a duplicate of an earlier one kept in the preceding
// `deduplicate_delay` seconds when
//   - matched: the earlier event matched the same dossier ("drops a newly acquired snapshot");
//   - unmatched: the earlier unmatched face is similar (cosine ≥ threshold) and the new face is not of higher
//     quality ("drops all snapshots of similar faces within the deduplication interval unless a new face is of
//     higher quality"; quality on FindFace's 0 … -5 scale, higher is better).
// Nothing is deleted: the verdict names the event it duplicates (`duplicateOf`), so stores keep the event and the
// live feed or webhooks may skip it. Only kept events are references: a person who stays is reported again once
// an interval has passed since the last kept event. Time is the events' own (stream time), in the order given.

/** What the rule reads of an event. */
export interface DedupEvent {
  readonly id: string;
  /** ms since the epoch (the face's frame) */
  readonly ts: number;
  /** the matched dossier, null when unmatched */
  readonly dossier: string | null;
  /** L2-normalised face vector */
  readonly vector: Float32Array;
  /** FindFace quality, 0 best … -5 useless */
  readonly quality: number;
}

export interface DedupRule {
  /** the group's deduplicate_delay, ms */
  readonly intervalMs: number;
  /** cosine at or above which two unmatched faces are the same person (the embedder's episode threshold is a fit) */
  readonly threshold: number;
}

/** One camera group's kept events of the last interval, oldest first. */
export interface DedupState {
  readonly kept: readonly DedupEvent[];
}

export const emptyDedup: DedupState = { kept: [] };

export interface DedupStep {
  readonly state: DedupState;
  /** the kept event this one duplicates, or null when it is kept */
  readonly duplicateOf: string | null;
}

function cosine(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return -1; // vectors of another model are never the same face
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!;
  return dot;
}

/** The verdict on `event` given the group's kept events, and the group's state after it. */
export function dedupEvent(state: DedupState, event: DedupEvent, rule: DedupRule): DedupStep {
  // a replay of a kept event (at-least-once delivery after a restart) is still kept, not a duplicate of itself
  if (state.kept.some((k) => k.id === event.id)) return { state, duplicateOf: null };
  // an event older than some kept one (another camera's late event) still compares within its own interval
  const recent = state.kept.filter((k) => Math.abs(event.ts - k.ts) <= rule.intervalMs);
  let original: DedupEvent | undefined;
  if (event.dossier !== null) {
    original = recent.find((k) => k.dossier === event.dossier);
  } else {
    let best = rule.threshold;
    for (const k of recent) {
      if (k.dossier !== null) continue;
      const s = cosine(k.vector, event.vector);
      if (s >= best && event.quality <= k.quality) {
        best = s;
        original = k;
      }
    }
  }
  // the window is the newest kept event's interval: older ones can no longer be an original
  const newest = Math.max(event.ts, ...state.kept.map((k) => k.ts));
  const live = state.kept.filter((k) => newest - k.ts <= rule.intervalMs);
  if (original) return { state: live.length === state.kept.length ? state : { kept: live }, duplicateOf: original.id };
  return { state: { kept: [...live, event] }, duplicateOf: null };
}
