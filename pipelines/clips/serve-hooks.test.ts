// The frame store hooks of serve on an in-process graph: a camera's ingest gets the packet tap, the graph's frames
// and episodes reach the recorder, stop() writes the clip under <frame_store.dir>/clips; the sweeper runs at start.
// Without frame_store.dir nothing is recorded nor swept.
import { mkdir, mkdtemp, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createRunContext } from '../../cli/context.ts';
import { loadConfig } from '../../config/load.ts';
import type { EpisodeChange } from '../../schemas/records.ts';
import { clipPath, clipsRoot } from '../../stores/frames/layout.ts';
import { DEMO_WATCHLIST, VIDEO } from '../../test/paths.ts';
import { buildInProcess } from '../../topologies/build-inproc.ts';
import { embeddedTopology } from '../../topologies/embedded.ts';
import { withoutStages } from '../../topologies/plan.ts';
import type { StageDeps } from '../registry.ts';
import type { RecordTap } from '../runtime/inproc/run-graph.ts';
import { systemClock } from '../runtime/stage.ts';
import { ANALYTICS_SINK_STAGES } from '../sink-clickhouse/index.ts';
import { startFrameStoreHooks } from './serve-hooks.ts';

const logger = pino({ level: 'silent' });

describe('startFrameStoreHooks', () => {
  it('records the episodes of a camera of the graph and sweeps old clips', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fs-hooks-'));
    const stale = clipPath(clipsRoot(dir), 'gone', 'ep-old');
    await mkdir(join(stale, '..'), { recursive: true });
    await writeFile(stale, 'x');
    await utimes(stale, 0, 0);
    const ctx = await createRunContext({ overrides: { frame_store: { dir }, clips: { enabled: true } }, watchlistDir: DEMO_WATCHLIST, onRejected: () => {} });
    try {
      const hooks = startFrameStoreHooks({ config: ctx.config, logger, registry: new Registry() });
      expect(hooks.clipsDir).toBe(clipsRoot(dir));
      const taps: Record<string, RecordTap[]> = { frames: [], episodes: [] };
      hooks.attach({ tap: (topic, observer) => taps[topic]!.push(observer) });
      const changes: EpisodeChange[] = [];
      taps['episodes']!.push((c) => void changes.push(c as EpisodeChange));
      const { source } = hooks.withPacketTap<Pick<StageDeps, 'source'>>({ source: { camera: 'hall', url: VIDEO('head-pose-face-detection-female.mp4') } });
      expect(source?.onPacket).toBeTypeOf('function');
      const run = buildInProcess(withoutStages(embeddedTopology, ANALYTICS_SINK_STAGES), 'main', {
        deps: { config: ctx.config, models: ctx.models, index: ctx.index, ...(source ? { source } : {}) },
        taps,
        logger,
        registry: new Registry(),
        clock: systemClock,
      });
      await run.graph.run();
      await hooks.stop();
      const episodes = [...new Set(changes.map((c) => c.episodeId))];
      expect(episodes.length).toBeGreaterThan(0);
      for (const id of episodes) expect((await stat(clipPath(clipsRoot(dir), 'hall', id))).size).toBeGreaterThan(1000);
      await expect(stat(stale)).rejects.toThrow(/ENOENT/);
    } finally {
      await ctx.models.close();
    }
  }, 60_000);

  it('does nothing without a frame store', async () => {
    const hooks = startFrameStoreHooks({ config: await loadConfig(undefined, { clips: { enabled: true } }), logger });
    expect(hooks.clipsDir).toBeUndefined();
    const deps = { source: { camera: 'hall', url: 'x.mp4' } };
    expect(hooks.withPacketTap(deps)).toBe(deps);
    await hooks.stop();
  });
});
