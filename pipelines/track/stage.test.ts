import { describe, expect, it } from 'vitest';
import { validateOrThrow } from '../../config/validate.ts';
import { BestShotConfig, TrackConfig } from './config.ts';
import { createTrackStage, type TrackStage } from './stage.ts';
import type { DetectedFace, FacePost, FrameDetections } from '../../schemas/records.ts';
import { basis, detections, faceAt, frameAt, mockContext, square } from '../runtime/testing/index.ts';
import { buildConfig } from '../../config/load.ts';
import { modelThresholdDefaults } from '../../config/model-defaults.ts';
import { createCameraSettingsView } from '../cameras/settings-view.ts';
import { isShared } from '../../models/worker/shared-image.ts';

function stage(track: Record<string, unknown> = {}, bestShot: Record<string, unknown> = {}): TrackStage {
  return createTrackStage({
    track: validateOrThrow(TrackConfig, { ...track }, 'track'),
    bestShot: validateOrThrow(BestShotConfig, { ...bestShot }, 'best_shot'),
  });
}

/** `n` frames at 10 fps of camera `cam`, each with the faces `facesAt(k)`. */
function frames(n: number, facesAt: (k: number) => DetectedFace[], camera = 'cam', t0 = 0): FrameDetections[] {
  return Array.from({ length: n }, (_, k) => detections(frameAt(camera, k, t0 + k / 10), facesAt(k)));
}

const summary = (p: FacePost) => [p.trackId, p.postNo, p.postType, p.frame.t_s, p.trackFrames];

describe('track stage', () => {
  it('overall mode posts one best face per track at flush, with track fields', async () => {
    const s = stage({ credence_count: 2 }, { overall_only: true });
    const ctx = mockContext<FacePost>();
    const input = frames(10, (k) => [faceAt(square(100 + k, 100, 80), { quality: k === 6 ? -0.1 : -1, appearance: basis(0) })]);
    await s.process(input, ctx);
    expect(ctx.take()).toEqual([]);
    await s.flush?.(ctx);
    const posts = ctx.take();
    expect(posts.map(summary)).toEqual([['cam-1', 1, 'overall', 0.6, 10]]);
    const p = posts[0] as FacePost;
    expect([p.camera, p.trackFirstT, p.trackLastT, p.trackFirstTs, p.trackLastTs]).toEqual(['cam', 0, 0.9, input[0]?.frame.ts, input[9]?.frame.ts]);
    // the crop is cut into shared memory, which the model workers read without copying it again
    expect(isShared(p.crop.image.data)).toBe(true);
  });

  it('realtime mode posts per window, numbered per track, in deterministic order', async () => {
    const s = stage({ credence_count: 1 }, { realtime_post_interval: 1 });
    const ctx = mockContext<FacePost>();
    // Two people for 2.5 s; windows [0,1) [1,2) [2,…) each post once per track.
    await s.process(frames(25, () => [faceAt(square(0, 0, 80), { appearance: basis(0) }), faceAt(square(300, 0, 80), { appearance: basis(1) })]), ctx);
    await s.flush?.(ctx);
    expect(ctx.take().map(summary)).toEqual([
      ['cam-1', 1, 'realtime', 0, 11],
      ['cam-2', 1, 'realtime', 0, 11],
      ['cam-1', 2, 'realtime', 1, 21],
      ['cam-2', 2, 'realtime', 1, 21],
      ['cam-1', 3, 'realtime', 2, 25],
      ['cam-2', 3, 'realtime', 2, 25],
    ]);
  });

  it('each camera posts by its own settings: mode, interval and a change from its next frame', async () => {
    const global = buildConfig(modelThresholdDefaults(), { track: { credence_count: 1 } });
    const view = createCameraSettingsView(global);
    view.set('offline', { overall_only: true });
    view.set('slow', { realtime_post_interval: 2 });
    const s = createTrackStage({ track: global.track, bestShot: global.best_shot, settings: view });
    const ctx = mockContext<FacePost>();
    const face = () => [faceAt(square(0, 0, 80), { appearance: basis(0) })];
    for (const camera of ['offline', 'slow', 'default']) await s.process(frames(25, face, camera), ctx);
    await s.flush?.(ctx);
    const byCamera = (camera: string) => ctx.forwarded.filter((p) => p.camera === camera).map((p) => [p.postType, p.frame.t_s]);
    expect(byCamera('offline')).toEqual([['overall', 0]]);
    expect(byCamera('slow')).toEqual([['realtime', 0], ['realtime', 2]]);
    expect(byCamera('default')).toEqual([['realtime', 0], ['realtime', 1], ['realtime', 2]]);

    // a minimum size above the face from 1 s on: the window open then posts nothing more
    const changed = createTrackStage({ track: global.track, bestShot: global.best_shot, settings: view });
    const out = mockContext<FacePost>();
    const input = frames(25, face, 'later');
    await changed.process(input.slice(0, 10), out);
    view.set('later', { filter_min_face_size: 100 });
    await changed.process(input.slice(10), out);
    await changed.flush?.(out);
    expect(out.forwarded.map((p) => p.frame.t_s)).toEqual([0]);
  });

  it('a blip shorter than credence_count never posts and is counted', async () => {
    const s = stage({ credence_count: 3 }, { overall_only: true });
    const ctx = mockContext<FacePost>();
    await s.process(frames(5, (k) => (k === 1 ? [faceAt(square(0, 0, 80))] : [])), ctx);
    await s.flush?.(ctx);
    expect(ctx.forwarded).toEqual([]);
    expect(ctx.counts.get('tracks_unconfirmed_dropped')).toBe(1);
    expect(s.trackStats()).toEqual([]);
  });

  it('track ended by a long miss posts before the faces of the frame that ended it', async () => {
    const s = stage({ credence_count: 1, miss_interval: 1 }, { overall_only: true });
    const ctx = mockContext<FacePost>();
    await s.process(frames(3, () => [faceAt(square(0, 0, 80))]), ctx);
    await s.process([detections(frameAt('cam', 30, 3.0), [faceAt(square(0, 0, 80))])], ctx);
    expect(ctx.take().map(summary)).toEqual([['cam-1', 1, 'overall', 0, 3]]);
    await s.flush?.(ctx);
    expect(ctx.take().map(summary)).toEqual([['cam-2', 1, 'overall', 3, 1]]);
  });

  it('an idle marker ends the tracks of its camera only, in stream order; the camera then starts new tracks', async () => {
    const s = stage({ credence_count: 1, miss_interval: 60 }, { overall_only: true });
    const ctx = mockContext<FacePost>();
    await s.process(frames(3, () => [faceAt(square(0, 0, 80))], 'a'), ctx);
    await s.process(frames(3, () => [faceAt(square(0, 0, 80))], 'b'), ctx);
    const lastA = frameAt('a', 2, 0.2).ts;
    await s.idle?.({ camera: 'a', ts: lastA + 10_000 }, ctx);
    expect(ctx.take().map((p) => p.trackId)).toEqual(['a-1']);
    // the same face, same place, within miss_interval: without the marker it would have continued a-1
    await s.process(frames(2, () => [faceAt(square(0, 0, 80))], 'a', 12), ctx);
    await s.flush?.(ctx);
    expect(ctx.take().map((p) => p.trackId)).toEqual(['a-2', 'b-1']);
  });

  it('the wall clock ends no track: a camera whose frames are held up keeps its tracks', async () => {
    const s = stage({ credence_count: 1 }, { overall_only: true });
    const ctx = mockContext<FacePost>({ now: 1_000_000 });
    await s.process(frames(3, () => [faceAt(square(0, 0, 80))]), ctx);
    ctx.advance(600_000);
    await s.process(frames(3, () => [faceAt(square(0, 0, 80))], 'cam', 0.3), ctx);
    await s.flush?.(ctx);
    expect(ctx.take().map(summary)).toEqual([['cam-1', 1, 'overall', 0, 6]]);
    expect(s.punctuate).toBeUndefined();
  });

  it('an idle marker older than the newest frame (a file read again after a restart) is skipped', async () => {
    const s = stage({ credence_count: 1 }, { overall_only: true });
    const ctx = mockContext<FacePost>();
    await s.process(frames(5, () => [faceAt(square(0, 0, 80))]), ctx);
    await s.idle?.({ camera: 'cam', ts: frameAt('cam', 2, 0.2).ts }, ctx);
    expect(ctx.take()).toEqual([]);
    expect(ctx.counts.get('idle_replayed_skipped')).toBe(1);
    // one at the newest frame's time is not: the camera went quiet right after it (its source failed)
    await s.idle?.({ camera: 'cam', ts: frameAt('cam', 4, 0.4).ts }, ctx);
    expect(ctx.take().map((p) => p.trackId)).toEqual(['cam-1']);
  });

  it('end of stream of one camera ends its tracks only', async () => {
    const s = stage({ credence_count: 1 }, { overall_only: true });
    const ctx = mockContext<FacePost>();
    await s.process(frames(3, () => [faceAt(square(0, 0, 80))], 'a'), ctx);
    await s.process(frames(3, () => [faceAt(square(0, 0, 80))], 'b'), ctx);
    await s.endOfStream?.('a', ctx);
    expect(ctx.take().map((p) => p.trackId)).toEqual(['a-1']);
    await s.flush?.(ctx);
    expect(ctx.take().map((p) => p.trackId)).toEqual(['b-1']);
  });

  it('state taken after any frame and restored into a new stage gives the same posts as no restart', async () => {
    const input = [
      ...frames(12, (k) => [faceAt(square(10 + k, 10, 80), { quality: -1 + (k % 3) / 10 })], 'a'),
      ...frames(12, (k) => (k < 8 ? [faceAt(square(200, 50 + k, 60))] : []), 'b'),
    ].sort((x, y) => x.frame.t_s - y.frame.t_s);
    const run = async (restartAfter: number | null) => {
      let s = stage({ credence_count: 2 });
      const ctx = mockContext<FacePost>();
      const saved = new Map<string, unknown>();
      for (const [i, fd] of input.entries()) {
        await s.process([fd], ctx);
        for (const [k, v] of s.state!.takeChanges()) saved.set(k, structuredClone(v));
        if (i === restartAfter) {
          s = stage({ credence_count: 2 });
          s.state!.restore([...saved]);
        }
      }
      await s.flush?.(ctx);
      return ctx.take().map(summary);
    };
    const whole = await run(null);
    expect(new Set(whole.map((p) => String(p[0]).split('-')[0]))).toEqual(new Set(['a', 'b']));
    for (const at of [0, 5, 11, 17]) expect(await run(at)).toEqual(whole);
  });

  it('skips a frame it has already processed (a replay after a restart)', async () => {
    const s = stage({ credence_count: 1 }, { overall_only: true });
    const ctx = mockContext<FacePost>();
    const input = frames(4, () => [faceAt(square(0, 0, 80))]);
    await s.process(input, ctx);
    await s.process(input.slice(2), ctx);
    await s.flush?.(ctx);
    expect(ctx.take().map(summary)).toEqual([['cam-1', 1, 'overall', 0, 4]]);
    expect(ctx.counts.get('frames_replayed_skipped')).toBe(2);
  });

  it('exposes per-track stats for the report, by camera then creation order', async () => {
    const s = stage({ credence_count: 1 }, { overall_only: true });
    const ctx = mockContext<FacePost>();
    await s.process(frames(12, (k) => (k < 11 ? [faceAt(square(0, 0, 80), { appearance: basis(0) })] : []).concat(k >= 2 ? [faceAt(square(300, 0, 80), { appearance: basis(1) })] : [])), ctx);
    await s.process(frames(2, () => [faceAt(square(0, 0, 80))], 'a'), ctx);
    expect(s.trackStats().map((t) => [t.trackId, t.camera, t.firstT, t.lastT, t.frames, t.ended])).toEqual([
      ['a-1', 'a', 0, 0.1, 2, false],
      ['cam-1', 'cam', 0, 1, 11, false],
      ['cam-2', 'cam', 0.2, 1.1, 10, false],
    ]);
    await s.flush?.(ctx);
    expect(s.trackStats().every((t) => t.ended && t.posts === 1)).toBe(true);
  });

  it('keeps no stats when keepTrackStats is off', async () => {
    const s = createTrackStage({ track: validateOrThrow(TrackConfig, { credence_count: 1 }, 'track'), bestShot: validateOrThrow(BestShotConfig, {}, 'best_shot'), keepTrackStats: false });
    const ctx = mockContext<FacePost>();
    await s.process(frames(3, () => [faceAt(square(0, 0, 80))]), ctx);
    await s.flush?.(ctx);
    expect(ctx.forwarded.length).toBeGreaterThan(0);
    expect(s.trackStats()).toEqual([]);
  });

  it('is deterministic: the same input gives the same posts', async () => {
    const input = frames(30, (k) => [faceAt(square(10 * k, 0, 60), { quality: -((k * 7) % 5) / 5, appearance: basis(0) }), faceAt(square(400 - 10 * k, 0, 60), { quality: -((k * 3) % 4) / 4, appearance: basis(1) })]);
    const runOnce = async () => {
      const s = stage({}, { realtime_post_interval: 0.5 });
      const ctx = mockContext<FacePost>();
      await s.process(input, ctx);
      await s.flush?.(ctx);
      return ctx.forwarded.map(summary);
    };
    expect(await runOnce()).toEqual(await runOnce());
  });
});
