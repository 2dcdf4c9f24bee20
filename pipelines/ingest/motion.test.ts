// The motion gate: thumbnail and intensity on made-up frames, then on a real clip followed by a still stretch.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig } from '../../config/load.ts';
import { modelThresholdDefaults } from '../../config/model-defaults.ts';
import { validateOrThrow } from '../../config/validate.ts';
import { createCameraSettingsView } from '../cameras/settings-view.ts';
import type { Frame, RgbImage } from '../../schemas/records.ts';
import { mockContext } from '../runtime/testing/index.ts';
import { IngestConfig } from './config.ts';
import { greyThumbnail, MotionGate, motionIntensity } from './motion.ts';
import { createIngestSource, INGEST_COUNTERS } from './stage.ts';
import { FEMALE, makeTempDir, removeDir } from './testing/media.ts';

const run = promisify(execFile);

/** A width × height frame of grey `level`, with the rectangle [x1, x2) × [y1, y2) at `inside`. */
function frame(width: number, height: number, level: number, rect?: { x1: number; y1: number; x2: number; y2: number; inside: number }): RgbImage {
  const data = new Uint8Array(width * height * 3).fill(level);
  if (rect) for (let y = rect.y1; y < rect.y2; y++) data.fill(rect.inside, (y * width + rect.x1) * 3, (y * width + rect.x2) * 3);
  return { width, height, data };
}

describe('motion intensity', () => {
  it('a thumbnail 64 blocks wide, the frame’s aspect kept, of the grey level', () => {
    const t = greyThumbnail(frame(1280, 720, 200));
    expect(t.length).toBe(64 * 36);
    expect(t.every((v) => Math.abs(v - 200) <= 1)).toBe(true);
  });

  it('0 for the same frame, 1 from black to white, the changed share of the frame times its change', () => {
    const black = greyThumbnail(frame(640, 360, 0));
    expect(motionIntensity(black, black)).toBe(0);
    expect(motionIntensity(black, greyThumbnail(frame(640, 360, 255)))).toBeCloseTo(1, 2);
    // a tenth of the frame (a full-height strip) turned white
    const strip = greyThumbnail(frame(640, 360, 0, { x1: 0, y1: 0, x2: 64, y2: 360, inside: 255 }));
    expect(motionIntensity(black, strip)).toBeCloseTo(0.1, 2);
  });

  it('the gate passes the first frame, holds back still ones, adds slow motion up against the last frame passed, and is off at 0', () => {
    const gate = new MotionGate();
    const moved = (x2: number) => frame(640, 360, 0, { x1: 0, y1: 0, x2, y2: 360, inside: 255 });
    expect(gate.accept(frame(640, 360, 0), 0.05)).toBe(true);
    expect(gate.accept(frame(640, 360, 0), 0.05)).toBe(false);
    expect(gate.accept(moved(20), 0.05)).toBe(false); // ~3 % of the frame
    expect(gate.accept(moved(40), 0.05)).toBe(true); // ~6 % since the last frame passed
    expect(gate.accept(moved(40), 0.05)).toBe(false);
    expect(gate.accept(moved(40), 0)).toBe(true);
  });
});

describe('motion gate in ingest, on a clip that ends in a still stretch', () => {
  let dir = '';
  let still = '';
  const config = (imotion_threshold: number) => validateOrThrow(IngestConfig, { fps: 6, imotion_threshold, start_stream_timestamp: 1_700_000_000 }, 'ingest');
  const MOVING_S = 23 / 12; // the clip: 23 frames at 12 fps
  const STILL_S = 3;

  beforeAll(async () => {
    dir = await makeTempDir();
    still = join(dir, 'still-end.mp4');
    await run('bash', ['infra/install-bench-deps.sh']);
    // the clip's last frame held for 3 s (a camera on an empty, still scene)
    await run('ffmpeg', ['-v', 'error', '-i', FEMALE, '-vf', `tpad=stop_mode=clone:stop_duration=${STILL_S}`, '-c:v', 'libx264', '-preset', 'veryfast', '-an', still]);
  }, 120_000);
  afterAll(async () => {
    await removeDir(dir);
  });

  const ingest = async (threshold: number) => {
    const ctx = mockContext<Frame>();
    await createIngestSource({ camera: 'still', url: still, config: config(threshold) }).run(ctx, new AbortController().signal);
    return { frames: ctx.forwarded, skipped: ctx.counts.get(INGEST_COUNTERS.imotionSkipped) ?? 0 };
  };

  it('threshold 0: every sampled frame goes to detection, none skipped', async () => {
    const { frames, skipped } = await ingest(0);
    expect(skipped).toBe(0);
    expect(frames.length).toBeGreaterThanOrEqual(Math.floor((MOVING_S + STILL_S) * 6));
  });

  it('threshold 0.002 (FindFace’s milestone): the still stretch is held back and counted, the moving part goes on', async () => {
    const all = (await ingest(0)).frames.length;
    const { frames, skipped } = await ingest(0.002);
    expect(frames.length + skipped).toBe(all);
    // the held last frame passes once at most; the rest of the still stretch (~18 frames) is skipped
    expect(frames.filter((f) => f.t_s > MOVING_S).length).toBeLessThanOrEqual(1);
    expect(skipped).toBeGreaterThanOrEqual(STILL_S * 6 - 1);
    expect(frames.filter((f) => f.t_s < MOVING_S).length).toBeGreaterThan(1);
    // frames downstream are numbered without gaps: a skipped frame is not a frame of the stream
    expect(frames.map((f) => f.seq)).toEqual(frames.map((_, k) => k));
  });

  it('a threshold changed while the camera runs applies from its next frame', async () => {
    const ctx = mockContext<Frame>();
    const global = buildConfig(modelThresholdDefaults(), { ingest: { fps: 6 } });
    const view = createCameraSettingsView(global);
    let decoded = 0;
    // the motion gate is switched on for the still stretch only
    const settings = () => (decoded++ === Math.ceil(MOVING_S * 6) ? view.set('still', { imotion_threshold: 0.002 }) : view.get('still'));
    await createIngestSource({ camera: 'still', url: still, config: view.get('still').ingest, cameraSettings: settings }).run(ctx, new AbortController().signal);
    const skipped = ctx.counts.get(INGEST_COUNTERS.imotionSkipped) ?? 0;
    expect(ctx.forwarded.filter((f) => f.t_s < MOVING_S - 0.01).length).toBe(Math.ceil(MOVING_S * 6));
    expect(skipped).toBeGreaterThanOrEqual(STILL_S * 6 - 1);
  });
});
