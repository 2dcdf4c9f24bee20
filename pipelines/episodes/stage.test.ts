import { describe, expect, it } from 'vitest';
import { validateOrThrow } from '../../config/validate.ts';
import { EpisodesConfig } from './config.ts';
import { createEpisodesStage } from './stage.ts';
import type { EpisodeChange } from '../../schemas/records.ts';
import { basis, faceEvent, mockContext } from '../runtime/testing/index.ts';

const stage = (over: Record<string, unknown> = {}) => createEpisodesStage({ config: validateOrThrow(EpisodesConfig, { episodes_threshold: 0.4, ...over }, 'episodes') });
const kinds = (cs: readonly EpisodeChange[]) => cs.map((c) => [c.kind, c.episodeId]);
const T0 = 1_800_000_000_000;

describe('episodes stage', () => {
  it('punctuate closes an episode after episode_event_timeout of wall clock without events', async () => {
    const s = stage();
    const ctx = mockContext<EpisodeChange>({ now: T0 });
    await s.process([faceEvent({ id: 'a', t: 0, vector: basis(0) })], ctx);
    expect(kinds(ctx.take())).toEqual([['open', 'ep-a']]);
    ctx.advance(29_000);
    await s.punctuate?.(ctx.clock.now(), ctx);
    expect(ctx.take()).toEqual([]);
    ctx.advance(1_000);
    await s.punctuate?.(ctx.clock.now(), ctx);
    expect(kinds(ctx.take())).toEqual([['close', 'ep-a']]);
    expect(s.liveEpisodes()).toBe(0);
    expect(ctx.counts.get('episodes_closed')).toBe(1);
  });

  it('punctuate closes after episode_max_duration of wall clock even with steady events', async () => {
    const s = stage();
    const ctx = mockContext<EpisodeChange>({ now: T0 });
    // Events arrive every 20 s of wall clock but their stream time stands still (a paused file, say).
    for (let k = 0; k < 15; k++) {
      await s.process([faceEvent({ id: `e${k}`, t: 0, vector: basis(0), trackId: 't' })], ctx);
      ctx.advance(20_000);
      await s.punctuate?.(ctx.clock.now(), ctx);
    }
    expect(ctx.take().map((c) => c.kind)).toEqual(['open', ...Array<string>(14).fill('event'), 'close']);
  });

  it('does not close on wall clock while a slow file keeps feeding it', async () => {
    const s = stage();
    const ctx = mockContext<EpisodeChange>({ now: T0 + 3_600_000 }); // stream time lags the wall clock by 1 h
    for (let k = 0; k < 10; k++) {
      await s.process([faceEvent({ id: `e${k}`, t: k, vector: basis(0) })], ctx);
      ctx.advance(1_000);
      await s.punctuate?.(ctx.clock.now(), ctx);
    }
    expect(ctx.take().filter((c) => c.kind === 'close')).toEqual([]);
  });

  it('end of stream closes the episodes whose cameras have all ended', async () => {
    const s = stage();
    const ctx = mockContext<EpisodeChange>({ now: T0 });
    await s.process([faceEvent({ id: 'a', t: 0, vector: basis(0), camera: 'c1' }), faceEvent({ id: 'b', t: 1, vector: basis(1), camera: 'c2' })], ctx);
    await s.process([faceEvent({ id: 'c', t: 2, vector: basis(0), camera: 'c2', trackId: 'c2-9' })], ctx);
    ctx.take();
    await s.endOfStream?.('c1', ctx);
    expect(ctx.take()).toEqual([]);
    await s.endOfStream?.('c2', ctx);
    expect(kinds(ctx.take())).toEqual([
      ['close', 'ep-a'],
      ['close', 'ep-b'],
    ]);
  });

  it('state taken after any event and restored into a new stage gives the same changes as no restart', async () => {
    const events = [
      faceEvent({ id: 'a', t: 0, vector: basis(0), camera: 'c1' }),
      faceEvent({ id: 'b', t: 1, vector: basis(1), camera: 'c2' }),
      faceEvent({ id: 'c', t: 2, vector: basis(0), camera: 'c2', trackId: 'c2-9' }),
      faceEvent({ id: 'd', t: 3, vector: basis(1), camera: 'c1', trackId: 'c1-4' }),
    ];
    const run = async (restartAfter: number | null) => {
      let s = stage();
      const ctx = mockContext<EpisodeChange>({ now: T0 });
      let saved: Array<readonly [string, unknown]> = [];
      for (const [i, e] of events.entries()) {
        await s.process([e], ctx);
        if (i === 1) await s.endOfStream?.('c1', ctx);
        const changes = s.state!.takeChanges();
        if (changes.length > 0) saved = structuredClone(changes);
        if (i === restartAfter) {
          s = stage();
          s.state!.restore(saved);
        }
      }
      await s.endOfStream?.('c2', ctx);
      await s.endOfStream?.('c1', ctx);
      return ctx.take().map((c) => [c.kind, c.episodeId, c.eventsCount]);
    };
    const whole = await run(null);
    expect(whole.filter(([k]) => k === 'close').length).toBeGreaterThanOrEqual(2);
    for (const at of [0, 1, 2]) expect(await run(at)).toEqual(whole);
  });

  it('flush closes every live episode in opening order', async () => {
    const s = stage();
    const ctx = mockContext<EpisodeChange>({ now: T0 });
    await s.process(
      [faceEvent({ id: 'a', t: 0, vector: basis(0) }), faceEvent({ id: 'b', t: 1, vector: basis(1), trackId: 'x' }), faceEvent({ id: 'c', t: 2, vector: basis(0), trackId: 'y' })],
      ctx,
    );
    expect(kinds(ctx.take())).toEqual([
      ['open', 'ep-a'],
      ['open', 'ep-b'],
      ['event', 'ep-a'],
    ]);
    await s.flush?.(ctx);
    const closes = ctx.take();
    expect(kinds(closes)).toEqual([
      ['close', 'ep-a'],
      ['close', 'ep-b'],
    ]);
    expect(closes.map((c) => c.eventsCount)).toEqual([2, 1]);
    expect(s.liveEpisodes()).toBe(0);
  });
});
