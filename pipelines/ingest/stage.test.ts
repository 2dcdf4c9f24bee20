// The ingest source with a mock context: Frame numbering and timestamps, counters, abort, errors.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateOrThrow } from '../../config/validate.ts';
import type { Frame } from '../../schemas/records.ts';
import { mockContext } from '../runtime/testing/index.ts';
import { IngestConfig } from './config.ts';
import { SourceError } from './errors.ts';
import { createIngestSource, INGEST_COUNTERS } from './stage.ts';
import { localFrameStore } from '../../stores/frames/local-frame-store.ts';
import { CLASSROOM, corruptCopy, FEMALE, makeTempDir, mp4Boxes, pausedCopy, removeDir, truncateCopy } from './testing/media.ts';

const config = (over: Record<string, unknown>): IngestConfig => validateOrThrow(IngestConfig, { ...over }, 'ingest');

let dir = '';
beforeAll(async () => {
  dir = await makeTempDir();
});
afterAll(async () => {
  await removeDir(dir);
});

describe('ingest source on a file', () => {
  it('forwards sampled frames numbered from 0, t_s from the first frame, ts from start_stream_timestamp', async () => {
    const ctx = mockContext<Frame>({ now: 5_000 });
    const source = createIngestSource({ camera: 'cam-1', url: CLASSROOM, config: config({ fps: 5, start_stream_timestamp: 1_700_000_000 }) });
    await source.run(ctx, new AbortController().signal);
    const frames = ctx.forwarded;
    expect(frames).toHaveLength(15);
    frames.forEach((f, k) => {
      expect(f.camera).toBe('cam-1');
      expect(f.seq).toBe(k);
      expect(f.t_s).toBeCloseTo(k * 0.2, 6);
      expect(f.ts).toBe(1_700_000_000_000 + k * 200);
      expect(f.image.width).toBe(480);
    });
    expect(source.lastSummary()).toMatchObject({ decoded: 45, emitted: 15, corrupt: 0 });
  });

  it('dates a file from the job start when start_stream_timestamp is 0', async () => {
    const ctx = mockContext<Frame>({ now: 42_000 });
    const source = createIngestSource({ camera: 'c', url: CLASSROOM, config: config({ fps: 5, max_width: 240 }) });
    await source.run(ctx, new AbortController().signal);
    expect(ctx.forwarded.map((f) => f.ts).slice(0, 3)).toEqual([42_000, 42_200, 42_400]);
    expect(ctx.forwarded[0]!.image.width).toBe(240);

    const ctx2 = mockContext<Frame>({ now: 1 });
    await createIngestSource({ camera: 'c', url: CLASSROOM, config: config({ fps: 5 }), jobStartMs: 7_000 }).run(ctx2, new AbortController().signal);
    expect(ctx2.forwarded[1]!.ts).toBe(7_200);
  });

  it('realtime: hands each frame on no earlier than its stream time after the start', async () => {
    const ctx = mockContext<Frame>({ now: 1_000_000 });
    const arrivals: number[] = [];
    const forward = ctx.forward;
    // the context's clock follows real time here, so the pacing can be observed
    const started = Date.now();
    Object.assign(ctx.clock, { now: () => 1_000_000 + Date.now() - started });
    const source = createIngestSource({ camera: 'c', url: CLASSROOM, config: config({ fps: 5, realtime: true }) });
    await source.run({ ...ctx, forward: async (f) => (arrivals.push(Date.now() - started), forward(f)) }, new AbortController().signal);
    const frames = ctx.forwarded;
    expect(frames).toHaveLength(15);
    frames.forEach((f, k) => expect(arrivals[k]!).toBeGreaterThanOrEqual(f.t_s * 1000 - 5));
  });

  it('keeps each frame in the frame store and refers to it', async () => {
    const store = localFrameStore(dir);
    const ctx = mockContext<Frame>({ now: 1 });
    await createIngestSource({ camera: 'cam 9', url: CLASSROOM, config: config({ fps: 5, start_stream_timestamp: 1_800_000_000 }), frameStore: store }).run(ctx, new AbortController().signal);
    expect(ctx.forwarded).toHaveLength(15);
    for (const f of ctx.forwarded) expect(f.frameRef).toBe(join('cam%209', '2027-01-15-08', `${f.seq}.jpg`));
    expect((await store.get(ctx.forwarded[3]!.frameRef!)).subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
  });

  it('frames carry the detector-size image when given the detector input, and only then', async () => {
    const ctx = mockContext<Frame>();
    await createIngestSource({ camera: 'c', url: CLASSROOM, config: config({ fps: 5 }), detectorInput: { width: 320, height: 240 } }).run(ctx, new AbortController().signal);
    expect(ctx.forwarded).toHaveLength(15);
    for (const f of ctx.forwarded) expect([f.detectorImage?.width, f.detectorImage?.height]).toEqual([320, 240]);
    const plain = mockContext<Frame>();
    await createIngestSource({ camera: 'c', url: CLASSROOM, config: config({ fps: 5 }) }).run(plain, new AbortController().signal);
    expect(plain.forwarded.every((f) => !('detectorImage' in f))).toBe(true);
  });

  it('counts corrupt frames and truncation as metrics, still forwarding what survives', async () => {
    const corrupt = join(dir, 'corrupt.mp4');
    const mdat = (await mp4Boxes(CLASSROOM)).find((b) => b.type === 'mdat')!;
    await corruptCopy(CLASSROOM, corrupt, mdat.offset + Math.floor(mdat.size * 0.43), 4000);
    const ctx = mockContext<Frame>();
    const source = createIngestSource({ camera: 'c', url: corrupt, config: config({}) });
    await source.run(ctx, new AbortController().signal);
    const skipped = ctx.counts.get(INGEST_COUNTERS.corruptFrames) ?? 0;
    expect(skipped).toBeGreaterThan(0);
    expect(ctx.forwarded.length + skipped).toBe(45);
    expect(ctx.forwarded.map((f) => f.seq)).toEqual(ctx.forwarded.map((_, k) => k));

    const cut = join(dir, 'cut.mp4');
    await truncateCopy(CLASSROOM, cut, 0.5);
    const ctx2 = mockContext<Frame>();
    await createIngestSource({ camera: 'c', url: cut, config: config({}) }).run(ctx2, new AbortController().signal);
    expect(ctx2.counts.get(INGEST_COUNTERS.truncatedSources)).toBe(1);
    expect(ctx2.forwarded.length).toBeGreaterThan(3);
  });

  it('a file whose stream pauses for camera_idle_timeout says its camera went idle, between the frames around the pause', async () => {
    const paused = join(dir, 'paused.mp4');
    await pausedCopy(FEMALE, paused, 1, 4);
    const run = async (camera_idle_timeout: number) => {
      const ctx = mockContext<Frame>();
      const order: string[] = [];
      const source = createIngestSource({ camera: 'c', url: paused, config: config({ camera_idle_timeout, start_stream_timestamp: 1_700_000_000 }) });
      await source.run({ ...ctx, forward: async (f) => void order.push(`frame ${f.ts}`), idle: async (i) => void order.push(`idle ${i.ts}`) }, new AbortController().signal);
      return order;
    };
    const order = await run(3);
    const at = order.findIndex((o) => o.startsWith('idle'));
    const [before, idle, after] = order.slice(at - 1, at + 2).map((o) => Number(o.split(' ')[1]));
    expect(order.filter((o) => o.startsWith('idle'))).toHaveLength(1);
    expect(after! - before!).toBeGreaterThanOrEqual(4_000);
    expect(idle).toBe(before! + 3_000);
    // a pause shorter than the timeout is no idle
    expect((await run(5)).some((o) => o.startsWith('idle'))).toBe(false);
  });

  it('stops between frames when aborted', async () => {
    const ac = new AbortController();
    const ctx = mockContext<Frame>();
    const stopAfterThird = {
      ...ctx,
      async forward(f: Frame): Promise<void> {
        await ctx.forward(f);
        if (f.seq === 2) ac.abort();
      },
    };
    const source = createIngestSource({ camera: 'c', url: CLASSROOM, config: config({}) });
    await source.run(stopAfterThird, ac.signal);
    expect(ctx.forwarded.map((f) => f.seq)).toEqual([0, 1, 2]);
    expect(source.lastSummary()?.aborted).toBe(true);
  });

  it('fails with the SourceError for a missing file', async () => {
    const source = createIngestSource({ camera: 'c', url: join(dir, 'missing.mp4'), config: config({}) });
    await expect(source.run(mockContext<Frame>(), new AbortController().signal)).rejects.toMatchObject({ code: 'not_found' });
    await expect(source.run(mockContext<Frame>(), new AbortController().signal)).rejects.toBeInstanceOf(SourceError);
  });
});
