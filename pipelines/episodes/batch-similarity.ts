// The similarities a batch of events needs, in one matrix product: each event against the recent events at the
// batch's start and against the batch's own events (one of which may be recent by the time it is judged).
// rules.ts then looks them up instead of computing 512 products per pair in JS, which at hundreds of recent
// events cost more than all else the stage did. Same rule, same decisions; scores differ from dotSimilarity's
// only in float32 rounding.
import type { FaceEvent } from '../../schemas/records.ts';
import type { PairScores } from '../match/gemm-scores.ts';
import { dotSimilarity, type RecentEvent, type Similarity } from './rules.ts';

/** Below this many multiply-adds a JS loop beats a call into onnxruntime. */
const MIN_WORK = 200_000;

export async function batchSimilarity(pairs: (dim: number) => Promise<PairScores>, recent: readonly RecentEvent[], events: readonly FaceEvent[]): Promise<Similarity> {
  const dim = events[0]?.embedding.vector.length ?? 0;
  const m = recent.length + events.length;
  if (dim === 0 || events.length * m * dim < MIN_WORK) return dotSimilarity;
  // vectors of another model cannot share a matrix: compare those pair by pair
  if (!recent.every((r) => r.vector.length === dim) || !events.every((e) => e.embedding.vector.length === dim)) return dotSimilarity;
  const gallery = new Float32Array(m * dim);
  const recentRow = new Map<RecentEvent, number>();
  recent.forEach((r, i) => {
    gallery.set(r.vector, i * dim);
    recentRow.set(r, i);
  });
  const queries = new Float32Array(events.length * dim);
  const eventRow = new Map<string, number>();
  const queryOf = new Map<FaceEvent, number>();
  events.forEach((e, i) => {
    queries.set(e.embedding.vector, i * dim);
    gallery.set(e.embedding.vector, (recent.length + i) * dim);
    eventRow.set(e.id, recent.length + i);
    queryOf.set(e, i);
  });
  const scores = await (await pairs(dim)).scores(queries, events.length, gallery, m);
  // rules.ts asks for one event against each recent one in turn: its query row is looked up once
  let lastEvent: FaceEvent | undefined;
  let q: number | undefined;
  return (ev, event) => {
    if (event !== lastEvent) {
      lastEvent = event;
      q = queryOf.get(event);
    }
    const row = recentRow.get(ev) ?? eventRow.get(ev.id);
    return q === undefined || row === undefined ? dotSimilarity(ev, event) : (scores[q * m + row] as number);
  };
}
