// RTSP over TCP for real: a shared clip served in real time by (1) our test server, which can also freeze or
// hang up on cue, and (2) GStreamer's rtsp-server (Debian, via gjs), an independent implementation that
// accepts only TCP interleaving. Servers are started here and stopped in afterAll, whatever happened.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Frame } from '../../schemas/records.ts';
import { validateOrThrow } from '../../config/validate.ts';
import { systemClock } from '../runtime/stage.ts';
import { mockContext } from '../runtime/testing/index.ts';
import { IngestConfig } from './config.ts';
import { SourceError } from './errors.ts';
import { createIngestSource } from './stage.ts';
import { readVideo, type DecodedFrame, type ReadVideoOptions } from './video-source.ts';
import { CLASSROOM } from './testing/media.ts';
import { startTestRtspServer, type TestRtspServer } from './testing/rtsp-server.ts';

interface LiveOutcome {
  frames: DecodedFrame[];
  error: unknown;
  /** ms from the read's start to its end */
  elapsedMs: number;
  /** ms from the last frame to the end */
  afterLastMs: number;
}

async function readLive(url: string, opts: ReadVideoOptions = {}, onFrame?: (f: DecodedFrame, n: number) => void): Promise<LiveOutcome> {
  const frames: DecodedFrame[] = [];
  const started = performance.now();
  let last = started;
  let error: unknown = null;
  try {
    for await (const f of readVideo(url, { timeout_s: 2, ...opts })) {
      frames.push(f);
      last = performance.now();
      onFrame?.(f, frames.length);
    }
  } catch (e) {
    error = e;
  }
  const end = performance.now();
  return { frames, error, elapsedMs: end - started, afterLastMs: end - last };
}

function expectEvenPts(frames: readonly DecodedFrame[], step: number): void {
  for (let k = 1; k < frames.length; k++) expect(frames[k]!.ptsSeconds - frames[k - 1]!.ptsSeconds).toBeCloseTo(step, 3);
}

describe('RTSP over TCP from the test server', () => {
  const servers: TestRtspServer[] = [];
  const serve = async (loops?: number): Promise<TestRtspServer> => {
    const s = await startTestRtspServer({ clip: CLASSROOM, loops });
    servers.push(s);
    return s;
  };
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  it('reads every frame in real time, in order, then reports the hang-up as ended_early', async () => {
    const server = await serve(1);
    const { frames, error, elapsedMs } = await readLive(server.url);
    expect(frames).toHaveLength(45);
    expect(frames.map((f) => f.index)).toEqual(frames.map((_, k) => k));
    expectEvenPts(frames, 1 / 15);
    expect(frames[0]!.image).toMatchObject({ width: 480, height: 270 });
    expect(elapsedMs).toBeGreaterThan(2500);
    expect(server.sessions).toBe(1);
    expect(error).toBeInstanceOf(SourceError);
    expect(error).toMatchObject({ code: 'ended_early', retryable: true });
  });

  it('samples a live stream by pts: fps 5 of 15', async () => {
    const server = await serve(1);
    const { frames } = await readLive(server.url, { fps: 5, max_width: 240 });
    expect(frames.map((f) => f.index)).toEqual(Array.from({ length: 15 }, (_, k) => 3 * k));
    expectEvenPts(frames, 0.2);
    expect(frames[0]!.image).toMatchObject({ width: 240, height: 135 });
  });

  it('a frozen camera ends with stalled once timeout_s has passed', async () => {
    const server = await serve();
    let stalledAt = 0;
    const { frames, error } = await readLive(server.url, { timeout_s: 1.5 }, (_, n) => {
      if (n === 5) {
        server.stall();
        stalledAt = performance.now();
      }
    });
    const waitedMs = performance.now() - stalledAt;
    expect(frames.length).toBeGreaterThanOrEqual(5);
    expect(error).toMatchObject({ code: 'stalled', retryable: true });
    expect(waitedMs).toBeGreaterThan(1000);
    expect(waitedMs).toBeLessThan(5000);
  });

  it('the stage says a frozen camera is idle after camera_idle_timeout of waiting, once per quiet spell, and when the stall ends it', async () => {
    const server = await serve();
    const ctx = { ...mockContext<Frame>(), clock: systemClock };
    const order: Array<readonly [kind: string, ts: number]> = [];
    const config = validateOrThrow(IngestConfig, { camera_idle_timeout: 1, timeout_s: 3 }, 'ingest');
    const source = createIngestSource({ camera: 'door', url: server.url, config });
    const forward = async (f: Frame) => {
      order.push(['frame', f.ts]);
      if (f.seq === 4) server.stall();
    };
    await expect(source.run({ ...ctx, forward, idle: async (i) => void order.push(['idle', i.ts]) }, new AbortController().signal)).rejects.toMatchObject({ code: 'stalled' });
    // (opening and probing the stream may itself take camera_idle_timeout: the camera has sent nothing yet either)
    const first = order.findIndex(([kind], k) => kind === 'idle' && k > 0);
    expect(order[first - 1]?.[0]).toBe('frame');
    expect(order[first]![1] - order[first - 1]![1]).toBeGreaterThanOrEqual(1_000);
    // frames the decoder still held come out when the read fails; each quiet spell is said once, the last by the failure
    expect(order.some(([kind], k) => kind === 'idle' && order[k - 1]?.[0] === 'idle')).toBe(false);
    expect(order.at(-1)?.[0]).toBe('idle');
  });

  it('the stage says a camera that hangs up is idle at once, however long camera_idle_timeout is', async () => {
    const server = await serve();
    const ctx = { ...mockContext<Frame>(), clock: systemClock };
    const config = validateOrThrow(IngestConfig, { camera_idle_timeout: 3600 }, 'ingest');
    const forward = async (f: Frame) => void (f.seq === 4 && server.hangUp());
    await expect(createIngestSource({ camera: 'door', url: server.url, config }).run({ ...ctx, forward }, new AbortController().signal)).rejects.toMatchObject({ code: 'ended_early' });
    expect(ctx.idles.map((i) => i.camera)).toEqual(['door']);
  });

  it('a camera that hangs up mid-stream ends with ended_early at once', async () => {
    const server = await serve();
    const { error, afterLastMs } = await readLive(server.url, {}, (_, n) => n === 10 && server.hangUp());
    expect(error).toMatchObject({ code: 'ended_early' });
    expect(afterLastMs).toBeLessThan(1000);
  });

  it('aborting ends the read between frames, quietly', async () => {
    const server = await serve();
    const ac = new AbortController();
    const { frames, error, afterLastMs } = await readLive(server.url, { signal: ac.signal }, (_, n) => n === 5 && ac.abort());
    expect(error).toBeNull();
    expect(frames).toHaveLength(5);
    expect(afterLastMs).toBeLessThan(500);
  });

  it('an unknown path → not_found', async () => {
    const server = await serve();
    const { error } = await readLive(server.url.replace(/cam$/, 'other'));
    expect(error).toMatchObject({ code: 'not_found' });
    expect((error as Error).message).toContain('/other');
  });

  it('the stage dates live frames by arrival, or by stream time when use_stream_timestamp', async () => {
    for (const useStream of [false, true]) {
      const server = await serve(1);
      const ctx = { ...mockContext<Frame>(), clock: systemClock };
      const config = validateOrThrow(IngestConfig, { fps: 5, use_stream_timestamp: useStream }, 'ingest');
      const before = Date.now();
      await expect(createIngestSource({ camera: 'door', url: server.url, config }).run(ctx, new AbortController().signal)).rejects.toMatchObject({
        code: 'ended_early',
      });
      const frames = ctx.forwarded;
      expect(frames).toHaveLength(15);
      expect(frames[0]!.ts).toBeGreaterThanOrEqual(before);
      expect(frames.at(-1)!.ts).toBeLessThanOrEqual(Date.now());
      if (useStream) frames.forEach((f) => expect(f.ts).toBe(Math.round(frames[0]!.ts + f.t_s * 1000)));
      else frames.slice(1).forEach((f, k) => expect(f.ts).toBeGreaterThanOrEqual(frames[k]!.ts));
    }
  });
});

describe('RTSP over TCP from GStreamer rtsp-server (independent implementation)', () => {
  const repo = fileURLToPath(new URL('../..', import.meta.url));
  let child: ChildProcess | null = null;
  let url = '';

  beforeAll(async () => {
    // Idempotent: returns at once when gjs and the GStreamer RTSP library are installed.
    await promisify(execFile)('bash', [`${repo}/infra/install-test-media.sh`], { timeout: 300_000 });
    const proc = spawn('gjs', [fileURLToPath(new URL('./testing/gst-rtsp-server.js', import.meta.url)), CLASSROOM], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`gst-rtsp-server did not start: ${out}`)), 15_000);
      proc.stdout?.on('data', (b: Buffer) => {
        out += b.toString();
        const m = /READY (\d+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
      proc.stderr?.on('data', (b: Buffer) => (out += b.toString()));
      proc.on('exit', (code) => reject(new Error(`gst-rtsp-server exited (${code}): ${out}`)));
    });
    url = `rtsp://127.0.0.1:${port}/cam`;
  });

  afterAll(() => {
    if (child?.pid !== undefined && child.exitCode === null) child.kill('SIGTERM');
  });

  it('reads the whole clip over TCP, pts evenly spaced, then ended_early at its end', async () => {
    const { frames, error } = await readLive(url);
    expect(frames).toHaveLength(45);
    expectEvenPts(frames, 1 / 15);
    expect(error).toMatchObject({ code: 'ended_early' });
  });

  it('this server offers TCP only: asking for UDP is refused with a clear reason', async () => {
    const { frames, error } = await readLive(url, { rtsp_transport: 'udp' });
    expect(frames).toHaveLength(0);
    expect(error).toMatchObject({ code: 'unreadable' });
    expect((error as Error).message).toContain('transport');
  });
});
