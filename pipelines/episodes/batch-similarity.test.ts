import { describe, expect, it } from 'vitest';
import { validateOrThrow } from '../../config/validate.ts';
import type { EpisodeChange, FaceEvent } from '../../schemas/records.ts';
import { createPairScores, type PairScores } from '../match/gemm-scores.ts';
import { faceEvent, mockContext, unit } from '../runtime/testing/index.ts';
import { batchSimilarity } from './batch-similarity.ts';
import { EpisodesConfig } from './config.ts';
import { dotSimilarity, type RecentEvent } from './rules.ts';
import { createEpisodesStage } from './stage.ts';

const DIM = 512;

/** People as directions; each event a noisy look at one of them, on one of a few cameras, 0.5 s apart. */
function events(count: number, people: number, seed = 7): FaceEvent[] {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  const faces = Array.from({ length: people }, () => Array.from({ length: DIM }, rnd));
  return Array.from({ length: count }, (_, i) => {
    const person = Math.floor(Math.abs(rnd()) * people) % people;
    const vector = unit(faces[person]!.map((x) => x + rnd() * 0.6));
    return faceEvent({ id: `e${i}`, vector, camera: `cam-${i % 3}`, trackId: `t${i}`, t: i * 0.5 });
  });
}

describe('batch similarity', () => {
  it('gives the dot products of recent events and of the batch itself, from one matrix product', async () => {
    const pairs = new Map<number, Promise<PairScores>>();
    const engine = (dim: number) => pairs.get(dim) ?? pairs.set(dim, createPairScores(dim)).get(dim)!;
    const all = events(300, 40);
    const recent: RecentEvent[] = all.slice(0, 200).map((e) => ({ id: e.id, episodeId: `ep-${e.id}`, ts: 0, vector: e.embedding.vector }));
    const batch = all.slice(200);
    try {
      const sim = await batchSimilarity(engine, recent, batch);
      expect(pairs.size).toBe(1);
      for (const e of batch) {
        for (const r of [...recent.slice(0, 50), { id: batch[3]!.id, episodeId: 'x', ts: 0, vector: batch[3]!.embedding.vector }]) {
          expect(sim(r, e)).toBeCloseTo(dotSimilarity(r, e), 5);
        }
      }
    } finally {
      for (const p of pairs.values()) await (await p).close();
    }
  });

  it('keeps to the JS loop for small batches and for vectors of another length', async () => {
    const engine = () => Promise.reject(new Error('no engine expected'));
    const few = events(3, 2);
    expect(await batchSimilarity(engine, [], few)).toBe(dotSimilarity);
    const other: RecentEvent = { id: 'old', episodeId: 'ep-old', ts: 0, vector: new Float32Array(128) };
    expect(await batchSimilarity(engine, [other, ...Array(300).fill(other)], events(200, 5))).toBe(dotSimilarity);
  });

  it('the stage decides the same episodes whether events come one at a time or in batches of 256', async () => {
    const cfg = validateOrThrow(EpisodesConfig, { episodes_threshold: 0.5 }, 'episodes');
    const input = events(600, 25);
    const run = async (batch: number) => {
      const stage = createEpisodesStage({ config: cfg });
      const ctx = mockContext<EpisodeChange>({ now: 1_800_000_000_000 });
      try {
        for (let i = 0; i < input.length; i += batch) await stage.process(input.slice(i, i + batch), ctx);
        await stage.flush?.(ctx);
      } finally {
        await stage.close?.();
      }
      return ctx.take().map((c) => [c.kind, c.episodeId, c.eventId, c.eventsCount]);
    };
    const single = await run(1);
    expect(new Set(single.filter(([k]) => k === 'open')).size).toBeGreaterThan(20);
    expect(single.filter(([k]) => k === 'event').length).toBeGreaterThan(300);
    expect(await run(256)).toEqual(single);
  });
});
