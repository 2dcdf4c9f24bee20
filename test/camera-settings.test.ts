// Per-camera settings on a shared clip, through ingest → detect → track in process with the real models: the
// camera's ROI, minimum face size and region of tracking change what is detected and posted as FindFace describes,
// and a setting changed while the camera runs applies from its next frames.
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRunContext, type RunContext } from '../cli/context.ts';
import { createCameraSettingsView, type CameraSettingsView } from '../pipelines/cameras/settings-view.ts';
import { systemClock } from '../pipelines/runtime/stage.ts';
import { boxCentre, boxHeight } from '../pipelines/track/box.ts';
import type { FacePost, Frame, FrameDetections } from '../schemas/records.ts';
import { buildGraph } from '../topologies/build-inproc.ts';
import { VIDEO } from './paths.ts';

const CLIP = VIDEO('head-pose-face-detection-female.mp4');
const CAMERA = 'settings-cam';
let run: RunContext;

beforeAll(async () => {
  run = await createRunContext({ overrides: { runtime: { model_workers: 0 }, ingest: { fps: 5 } }, onRejected: (m) => expect.fail(m) });
}, 120_000);
afterAll(() => run?.models.close());

interface Outcome {
  readonly detections: FrameDetections[];
  readonly posts: FacePost[];
}

/** The clip through ingest, detect and track as camera CAMERA with `settings`; `onFrame` sees each frame ingest hands on. */
async function play(settings: Record<string, unknown>, onFrame: (f: Frame, view: CameraSettingsView) => void = () => {}): Promise<Outcome> {
  const view = createCameraSettingsView(run.config);
  view.set(CAMERA, settings);
  const out: Outcome = { detections: [], posts: [] };
  const { graph } = buildGraph(['ingest', 'detect', 'track'], {
    deps: { config: run.config, models: run.models, index: run.index, source: { camera: CAMERA, url: CLIP }, cameraSettings: view },
    taps: {
      frames: [(f) => onFrame(f as Frame, view)],
      detections: [(d) => void out.detections.push(d as FrameDetections)],
      faces: [(p) => void out.posts.push(p as FacePost)],
    },
    logger: pino({ level: 'silent' }),
    registry: new Registry(),
    clock: systemClock,
  });
  await graph.run();
  return out;
}

describe('per-camera settings on a clip', () => {
  let baseline: Outcome;
  /** the largest strip of the frame along an edge that no detected face reaches, and a region around every face */
  let withoutFace = '';
  let aroundFaces = '';

  beforeAll(async () => {
    baseline = await play({});
    const { width, height } = baseline.detections[0]!.frame;
    const boxes = baseline.detections.flatMap((d) => d.faces.map((f) => f.box));
    const x1 = Math.floor(Math.min(...boxes.map((b) => b.x1)));
    const y1 = Math.floor(Math.min(...boxes.map((b) => b.y1)));
    const x2 = Math.ceil(Math.max(...boxes.map((b) => b.x2)));
    const y2 = Math.ceil(Math.max(...boxes.map((b) => b.y2)));
    const strips = [
      { area: x1 * height, region: `${x1}x${height}+0+0` },
      { area: (width - x2) * height, region: `${width - x2}x${height}+${x2}+0` },
      { area: width * y1, region: `${width}x${y1}+0+0` },
      { area: width * (height - y2), region: `${width}x${height - y2}+0+${y2}` },
    ].sort((a, b) => b.area - a.area);
    expect(strips[0]!.area, 'a quarter of the frame is free of faces').toBeGreaterThan((width * height) / 4);
    withoutFace = strips[0]!.region;
    const [ax, ay] = [Math.max(0, x1 - 40), Math.max(0, y1 - 40)];
    aroundFaces = `${Math.min(width, x2 + 40) - ax}x${Math.min(height, y2 + 40) - ay}+${ax}+${ay}`;
  }, 120_000);

  it('posts the face with the global settings', () => {
    expect(baseline.posts.length).toBeGreaterThan(0);
  });

  it('ROI: none posted from a part of the frame without the face, though it is still detected; all posted from around it', async () => {
    const outside = await play({ roi: withoutFace });
    expect(outside.detections.some((d) => d.faces.length > 0)).toBe(true);
    expect(outside.posts).toEqual([]);
    expect((await play({ roi: aroundFaces })).posts.length).toBe(baseline.posts.length);
  }, 120_000);

  it('filter_min_face_size above the clip’s faces: none posted; at their smallest: posted', async () => {
    const detected = baseline.detections.flatMap((d) => d.faces.map((f) => boxHeight(f.box)));
    const posted = baseline.posts.map((p) => boxHeight(p.face.box));
    expect((await play({ filter_min_face_size: Math.floor(Math.max(...detected)) + 1 })).posts).toEqual([]);
    expect((await play({ filter_min_face_size: Math.floor(Math.min(...posted)) })).posts.length).toBeGreaterThan(0);
  }, 120_000);

  it('filter_min_quality above every face’s quality: none posted', async () => {
    const best = Math.max(...baseline.detections.flatMap((d) => d.faces.map((f) => f.quality)));
    expect(best).toBeLessThan(0);
    expect((await play({ filter_min_quality: Math.min(0, best + 0.01) })).posts).toEqual([]);
  }, 120_000);

  it('ROT: nothing detected outside it; inside it the same faces, in frame pixels', async () => {
    const outside = await play({ rot: withoutFace });
    expect(outside.detections.length).toBe(baseline.detections.length);
    expect(outside.detections.every((d) => d.faces.length === 0)).toBe(true);
    expect(outside.posts).toEqual([]);

    const inside = await play({ rot: aroundFaces });
    const centres = (o: Outcome) => o.detections.flatMap((d) => d.faces.map((f) => boxCentre(f.box)));
    const got = centres(inside);
    expect(got.length).toBeGreaterThan(0);
    // the detector sees the face at another scale in the crop: boxes move by a few pixels, not by the crop's offset
    for (const [x, y] of centres(baseline).slice(0, 10)) expect(got.some(([gx, gy]) => Math.hypot(gx - x, gy - y) < 12)).toBe(true);
  }, 120_000);

  it('a ROT set while the camera runs applies from its next frames, without a restart', async () => {
    const changeAt = 10;
    const changed = await play({}, (f, view) => {
      if (f.seq === changeAt - 1) view.set(CAMERA, { rot: withoutFace });
    });
    const faces = (d: FrameDetections) => d.faces.length;
    expect(changed.detections.filter((d) => d.frame.seq < changeAt - 1).some(faces)).toBe(true);
    expect(changed.detections.filter((d) => d.frame.seq >= changeAt).map(faces)).toEqual(changed.detections.filter((d) => d.frame.seq >= changeAt).map(() => 0));
  }, 120_000);
});
