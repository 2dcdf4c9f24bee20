// SCRFD decoding end to end on SYNTHETIC ONNX graphs (constant outputs laid out like the real exports) run by
// onnxruntime through the registry's factory: proves the decoding, letterbox mapping, threshold and NMS — not the
// accuracy of real SCRFD weights, which cannot be downloaded here.
import { afterAll, describe, expect, it } from 'vitest';
import type { Box, RgbImage } from '../../schemas/records.ts';
import type { ModelEntry } from '../manifest.ts';
import { writeTensor } from '../image/to-tensor.ts';
import { squareByHeight } from '../image/scale-box.ts';
import { constantOutputModel, frameToCanvas, removeTempModels, scrfdOutputs, writeTempModel, type CanvasFace, type Placed, type ScrfdLayout } from '../testing/synthetic-onnx.ts';
import type { Detector, RawDetection } from './detector.ts';
import { detectorFactory } from './registry.ts';
import { canvasFor, letterboxGeometry, letterboxImage } from './scrfd.ts';

const entry = (file: string, size = 640): ModelEntry => ({
  role: 'detector',
  kind: 'scrfd',
  id: 'synthetic-scrfd',
  file,
  input: { width: size, height: size, channels: 3, colour: 'rgb', normalisation: { mean: [127.5], std: [128] } },
  thresholds: { score: 0.5, nms: 0.4 },
});

const opened: Detector[] = [];
afterAll(async () => {
  for (const d of opened) await d.close();
  removeTempModels();
});

/** Builds a synthetic SCRFD file whose outputs hold `faces` (frame pixels, letterbox scale `s`) and opens it. */
async function detectorFor(faces: readonly (Omit<Placed, 'face'> & { face: CanvasFace })[], s: number, layout: ScrfdLayout, size = 640): Promise<Detector> {
  const placed = faces.map((p) => ({ ...p, face: frameToCanvas(p.face, s) }));
  const bytes = constantOutputModel('input.1', [1, 3, '?', '?'], scrfdOutputs(640, 640, placed, layout));
  const e = entry(writeTempModel('scrfd_synthetic.onnx', bytes), size);
  const det = await detectorFactory(e.kind).create(e, e.file, { intraOpThreads: 1 });
  opened.push(det);
  return det;
}

const blank = (width: number, height: number): RgbImage => ({ width, height, data: new Uint8Array(width * height * 3).fill(90) });

const A: CanvasFace = {
  box: { x1: 100, y1: 120, x2: 260, y2: 320 },
  landmarks5: [[145, 200], [215, 198], [180, 240], [150, 280], [210, 279]],
  score: 0.92,
};
const B: CanvasFace = {
  box: { x1: 600, y1: 200, x2: 700, y2: 330 },
  landmarks5: [[628, 250], [672, 251], [650, 275], [630, 300], [669, 301]],
  score: 0.81,
};
/** A shifted a few pixels, weaker, on another pyramid level: NMS must remove it. */
const A_DUP: CanvasFace = {
  box: { x1: 106, y1: 124, x2: 266, y2: 322 },
  landmarks5: A.landmarks5.map(([x, y]) => [x + 5, y + 3] as const),
  score: 0.7,
};
/** Under the manifest's score threshold 0.5. */
const WEAK: CanvasFace = {
  box: { x1: 800, y1: 400, x2: 900, y2: 520 },
  landmarks5: [[825, 450], [875, 450], [850, 475], [830, 500], [870, 500]],
  score: 0.3,
};
const FACES = [
  { face: A, stride: 16 },
  { face: B, stride: 8, anchor: 1 },
  { face: A_DUP, stride: 32 },
  { face: WEAK, stride: 16 },
];
const KIND_3D: ScrfdLayout = { order: 'kind', batchAxis: true, kps: true, numericNames: false };

function expectFace(d: RawDetection | undefined, f: CanvasFace): void {
  expect(d).toBeDefined();
  const close = (a: Box, b: Box) => (['x1', 'y1', 'x2', 'y2'] as const).forEach((k) => expect(a[k]).toBeCloseTo(b[k], 3));
  close(d!.raw, f.box);
  close(d!.box, squareByHeight(f.box));
  expect(d!.score).toBeCloseTo(f.score, 5);
  expect(d!.landmarks5).toHaveLength(5);
  d!.landmarks5!.forEach(([x, y], i) => {
    expect(x).toBeCloseTo(f.landmarks5[i]![0], 3);
    expect(y).toBeCloseTo(f.landmarks5[i]![1], 3);
  });
}

describe('SCRFD letterbox', () => {
  it('fits a landscape frame to the width and a portrait one to the height, padding bottom/right with black', () => {
    const canvas = canvasFor(entry('x').input);
    expect(canvas).toEqual({ width: 640, height: 640 });
    expect(letterboxGeometry({ x1: 0, y1: 0, x2: 1000, y2: 600 }, canvas)).toMatchObject({ w: 640, h: 384, sx: 0.64, sy: 0.64 });
    expect(letterboxGeometry({ x1: 0, y1: 0, x2: 480, y2: 800 }, canvas)).toMatchObject({ w: 384, h: 640, sx: 0.8, sy: 0.8 });

    const img: RgbImage = { width: 1000, height: 600, data: new Uint8Array(1000 * 600 * 3) };
    for (let i = 0; i < img.data.length; i += 3) img.data.set([10, 20, 30], i);
    const lb = letterboxImage(img, letterboxGeometry({ x1: 0, y1: 0, x2: 1000, y2: 600 }, canvas), canvas);
    const px = (x: number, y: number) => [...lb.data.subarray((y * 640 + x) * 3, (y * 640 + x) * 3 + 3)];
    expect(px(5, 5)).toEqual([10, 20, 30]);
    expect(px(600, 370)).toEqual([10, 20, 30]);
    expect(px(0, 384)).toEqual([0, 0, 0]);

    // the manifest's RGB, (v − 127.5)/128 reaches the tensor: R in plane 0, padding = −127.5/128
    const t = new Float32Array(3 * 640 * 640);
    writeTensor(lb, { ...entry('x').input, width: 640, height: 640 }, t);
    const at = 5 * 640 + 5;
    expect(t[at]).toBeCloseTo((10 - 127.5) / 128, 6);
    expect(t[2 * 640 * 640 + at]).toBeCloseTo((30 - 127.5) / 128, 6);
    expect(t[639 * 640]).toBeCloseTo(-127.5 / 128, 6);
  });
});

describe('SCRFD decoder on synthetic ONNX outputs', () => {
  it('maps two faces back to frame pixels (landscape, scale 0.64), drops the weak one, NMS removes the duplicate', async () => {
    const det = await detectorFor(FACES, 0.64, KIND_3D);
    const found = await det.detect(blank(1000, 600));
    expect(found).toHaveLength(2);
    expectFace(found[0], A);
    expectFace(found[1], B);
  });

  it('a lower minScore lets the weak face through; minFaceSize filters by raw box height', async () => {
    const det = await detectorFor(FACES, 0.64, KIND_3D);
    const img = blank(1000, 600);
    const all = await det.detect(img, { minScore: 0.2 });
    expect(all).toHaveLength(3);
    expectFace(all[2], WEAK);
    const big = await det.detect(img, { minFaceSize: 150 });
    expect(big).toHaveLength(1);
    expectFace(big[0], A);
  });

  it('maps back through a portrait letterbox (scale 0.8, padding on the right)', async () => {
    const P: CanvasFace = {
      box: { x1: 300, y1: 560, x2: 420, y2: 720 },
      landmarks5: [[330, 620], [390, 621], [360, 650], [335, 690], [386, 690]],
      score: 0.88,
    };
    const det = await detectorFor([{ face: P, stride: 32 }, { face: A, stride: 16, anchor: 1 }], 0.8, KIND_3D);
    const found = await det.detect(blank(480, 800));
    expect(found).toHaveLength(2);
    expectFace(found[0], A);
    expectFace(found[1], P);
  });

  it('decodes the other export layout identically: grouped by stride, [N, C] without batch axis, numeric names', async () => {
    const det = await detectorFor(FACES, 0.64, { order: 'stride', batchAxis: false, kps: true, numericNames: true });
    const found = await det.detect(blank(1000, 600));
    expect(found).toHaveLength(2);
    expectFace(found[0], A);
    expectFace(found[1], B);
  });

  it('works without keypoint outputs (6-output models): boxes only, no landmarks5', async () => {
    const det = await detectorFor(FACES, 0.64, { order: 'kind', batchAxis: false, kps: false, numericNames: false });
    const found = await det.detect(blank(1000, 600));
    expect(found).toHaveLength(2);
    expect(found[0]!.raw.x1).toBeCloseTo(A.box.x1, 3);
    expect(found.every((d) => d.landmarks5 === undefined)).toBe(true);
  });

  it('runs tiles one region at a time and keeps the whole-frame faces', async () => {
    const det = await detectorFor(FACES, 0.64, KIND_3D);
    const found = await det.detect(blank(1000, 600), { tiles: 2 });
    // constant outputs: every tile "sees" the same canvas faces at its own position, so only the whole-frame
    // faces are checked here
    expectFace(found.find((d) => Math.abs(d.raw.x1 - A.box.x1) < 1e-3 && Math.abs(d.raw.y1 - A.box.y1) < 1e-3), A);
    expectFace(found.find((d) => Math.abs(d.raw.x1 - B.box.x1) < 1e-3 && Math.abs(d.raw.y1 - B.box.y1) < 1e-3), B);
  });

  it('refuses, naming the shapes, outputs that do not fit the manifest input size', async () => {
    const det = await detectorFor(FACES, 0.64, KIND_3D, 320);
    await expect(det.detect(blank(1000, 600))).rejects.toThrow(/SCRFD outputs do not match a 320×320 input: .*score_8 \[1, 12800, 1\]/);
  });
});
