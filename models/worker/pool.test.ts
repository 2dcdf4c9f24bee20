// The pool must be a drop-in for the in-process models: the same photos and video frames go through
// loadFaceModels and through two workers, and every detection, vector and attribute must agree.
import '../../pipelines/ingest/promise-with-resolvers.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readVideo } from '../../pipelines/ingest/index.ts';
import { createDetectStage } from '../../pipelines/detect/stage.ts';
import { mockContext } from '../../pipelines/runtime/testing/index.ts';
import type { AttributesConfig } from '../../pipelines/embed/config.ts';
import type { DetectedFace, FaceAttributes, Frame, FrameDetections, RgbImage } from '../../schemas/records.ts';
import { VIDEO } from '../../test/paths.ts';
import type { FaceInImage, FaceModels } from '../face-models.types.ts';
import { loadFaceModels } from '../face-models.ts';
import { readPhoto } from '../image/read-photo.ts';
import { deepfacePath } from '../testing/deepface.ts';
import { startModelWorkers } from './pool.ts';

const detect = { min_score: 0.65, min_face_size: 0, tiling: false, tile_grid: 2 };
const ALL: AttributesConfig = { gender: true, age: true, emotions: true, eyes: true, liveness: true, headpose: true };
// the same intra-op threads on both sides: ORT's float sums may differ in the last bits with another split
const load = { detect, intraOpThreads: 1, attributes: ALL };
const PHOTOS = ['img1.jpg', 'couple.jpg', 'img41.jpg', 'selfie-many-people.jpg', 'img11_reflection.jpg'];
const CLIPS = ['face-demographics-walking-and-pause.mp4', 'head-pose-face-detection-female-and-male.mp4'];
const TOL = 1e-6;

let local: FaceModels;
let pool: FaceModels;
const images: { name: string; image: RgbImage }[] = [];

async function clipFrames(
  name: string,
  every: number,
  count: number,
  detectorSize?: { width: number; height: number },
): Promise<{ name: string; image: RgbImage; detectorImage?: RgbImage }[]> {
  const out: { name: string; image: RgbImage; detectorImage?: RgbImage }[] = [];
  for await (const f of readVideo(VIDEO(name), detectorSize ? { detectorSize } : {})) {
    if (f.index % every === 0) out.push({ name: `${name}#${f.index}`, image: f.image, ...(f.detectorImage ? { detectorImage: f.detectorImage } : {}) });
    if (out.length === count) break;
  }
  return out;
}

beforeAll(async () => {
  [local, pool] = await Promise.all([loadFaceModels(load), startModelWorkers({ ...load, workers: 2 })]);
  for (const p of PHOTOS) images.push({ name: p, image: await readPhoto(deepfacePath(p)) });
  for (const c of CLIPS) images.push(...(await clipFrames(c, 10, 4)));
});
afterAll(async () => {
  await pool?.close();
  await local?.close();
});

function close(a: number, b: number, what: string): void {
  expect(Math.abs(a - b), `${what}: ${a} vs ${b}`).toBeLessThanOrEqual(TOL);
}

function sameFaces(a: readonly DetectedFace[], b: readonly DetectedFace[], name: string): void {
  expect(a.length, name).toBe(b.length);
  a.forEach((f, i) => {
    const g = b[i]!;
    const at = `${name} face ${i}`;
    for (const k of ['x1', 'y1', 'x2', 'y2'] as const) close(f.box[k], g.box[k], `${at} box.${k}`);
    close(f.score, g.score, `${at} score`);
    f.landmarks5.forEach(([x, y], j) => {
      close(x, g.landmarks5[j]![0], `${at} landmark ${j} x`);
      close(y, g.landmarks5[j]![1], `${at} landmark ${j} y`);
    });
    for (const k of ['yaw', 'pitch', 'roll'] as const) close(f.pose[k], g.pose[k], `${at} pose.${k}`);
    close(f.sharpness, g.sharpness, `${at} sharpness`);
    close(f.quality, g.quality, `${at} quality`);
    expect(f.appearance).toBeInstanceOf(Float32Array);
    expect(f.appearance.length).toBe(g.appearance.length);
    f.appearance.forEach((v, j) => close(v, g.appearance[j]!, `${at} appearance[${j}]`));
  });
}

function sameAttributes(a: FaceAttributes, b: FaceAttributes, at: string): void {
  expect(Object.keys(a).sort(), at).toEqual(Object.keys(b).sort());
  for (const key of ['gender', 'emotions', 'eyes', 'liveness'] as const) {
    const x = a[key];
    const y = b[key];
    if (!x || !y) continue;
    expect(x.name, `${at} ${key}`).toBe(y.name);
    close(x.confidence, y.confidence, `${at} ${key}.confidence`);
  }
  if (a.age !== undefined) close(a.age, b.age!, `${at} age`);
  if (a.headpose) for (const k of ['yaw', 'pitch', 'roll'] as const) close(a.headpose[k], b.headpose![k], `${at} headpose.${k}`);
}

describe('model worker pool gives what loadFaceModels gives', () => {
  it('reports the embedder id, the detector input size and its concurrency', () => {
    expect(pool.embedderId).toBe(local.embedderId);
    expect(pool.detectorInput).toEqual({ width: 320, height: 240 });
    expect(pool.detectorInput).toEqual(local.detectorInput);
    expect(pool.concurrency).toBe(2);
  });

  it('detect() with the decoder’s detector-size image: same faces as in-process with it', async () => {
    const frames = (await clipFrames(CLIPS[0]!, 10, 3, { width: 320, height: 240 })).filter((f) => f.detectorImage);
    expect(frames.length).toBe(3);
    for (const { name, image, detectorImage } of frames) {
      const [mine, theirs] = await Promise.all([local.detect(image, detectorImage), pool.detect(image, detectorImage)]);
      expect(mine.length).toBeGreaterThan(0);
      sameFaces(theirs, mine, name);
    }
  });

  it('detect(): same faces on deepface photos and video frames', async () => {
    expect(images.length).toBe(PHOTOS.length + 8);
    let faces = 0;
    for (const { name, image } of images) {
      const [mine, theirs] = await Promise.all([local.detect(image), pool.detect(image)]);
      sameFaces(theirs, mine, name);
      faces += mine.length;
    }
    expect(faces).toBeGreaterThan(15);
  });

  it('detect(): concurrent calls on both workers give each caller its own frame’s faces', async () => {
    const theirs = await Promise.all(images.map(({ image }) => pool.detect(image)));
    for (const [i, { name, image }] of images.entries()) sameFaces(theirs[i]!, await local.detect(image), name);
  });

  it('embed() and attributes(): same vectors and heads, faces of several images in one call', async () => {
    // a few faces of every image (selfie-many-people alone has dozens): enough to batch, quick enough to run
    const faces: FaceInImage[] = [];
    for (const { image } of images) for (const face of (await local.detect(image)).slice(0, 3)) faces.push({ image, face });
    expect(faces.length).toBeGreaterThan(10);
    const [mine, theirs] = await Promise.all([local.embed(faces), pool.embed(faces)]);
    expect(theirs.length).toBe(faces.length);
    theirs.forEach((v, i) => {
      expect(v).toBeInstanceOf(Float32Array);
      v.forEach((x, j) => close(x, mine[i]![j]!, `vector ${i}[${j}]`));
    });
    const [la, pa] = await Promise.all([local.attributes(faces, ALL), pool.attributes(faces, ALL)]);
    pa.forEach((a, i) => sameAttributes(a, la[i]!, `face ${i}`));
    const some: AttributesConfig = { ...ALL, age: false, emotions: false };
    expect(Object.keys((await pool.attributes(faces.slice(0, 1), some))[0]!).sort()).toEqual(['eyes', 'gender', 'headpose', 'liveness']);
  });

  it('the detect stage keeps both workers busy and forwards in input order', async () => {
    const stage = createDetectStage({ models: pool });
    expect(stage.maxBatch).toBe(6);
    const frames: Frame[] = images.slice(0, 6).map(({ image }, seq) => ({ camera: 'c', seq, ts: seq * 40, t_s: seq * 0.04, width: image.width, height: image.height, image }));
    const ctx = mockContext<FrameDetections>();
    // one batch of 6: more calls than the workers hold, the rest wait in the pool for the first free worker
    await stage.process(frames, ctx);
    expect(ctx.forwarded.map((d) => d.frame.seq)).toEqual([0, 1, 2, 3, 4, 5]);
    for (const d of ctx.forwarded) sameFaces(d.faces, await local.detect(d.pixels.image), `frame ${d.frame.seq}`);
    expect(createDetectStage({ models: local }).maxBatch).toBe(1);
  });

  it('rejects the caller with the worker’s own error message', async () => {
    const bad: RgbImage = { width: 64, height: 64, data: new Uint8Array(10) };
    const mine = await local.detect(bad).then(
      () => 'resolved',
      (e: unknown) => (e as Error).message,
    );
    expect(mine).not.toBe('resolved');
    await expect(pool.detect(bad)).rejects.toThrow(mine);
    // and the worker is fine afterwards
    sameFaces(await pool.detect(images[0]!.image), await local.detect(images[0]!.image), 'after an error');
  });
});

describe('model worker pool lifecycle', () => {
  it('fails to start with the worker’s message when a model file is missing', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'prepared-'));
    try {
      await expect(startModelWorkers({ ...load, workers: 2, preparedDir: empty })).rejects.toThrow(/fr_detect\.onnx is missing — run `npm run models:prepare`/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('is safe to close twice; calls after close are refused', async () => {
    const p = await startModelWorkers({ detect, intraOpThreads: 1, workers: 1 });
    await p.close();
    await p.close();
    await expect(p.detect(images[0]!.image)).rejects.toThrow(/closed/);
  });
});
