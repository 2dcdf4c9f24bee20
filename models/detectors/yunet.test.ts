// YuNet decoding end to end on SYNTHETIC ONNX graphs (constant outputs laid out like face_detection_yunet_2023mar)
// run by onnxruntime through the registry's factory: proves the decoding (OpenCV FaceDetectorYN's formulas),
// letterbox mapping, threshold and NMS — not the accuracy of the real YuNet weights, which cannot be downloaded here.
import { afterAll, describe, expect, it } from 'vitest';
import type { Box, RgbImage } from '../../schemas/records.ts';
import type { ModelEntry } from '../manifest.ts';
import { writeTensor } from '../image/to-tensor.ts';
import { squareByHeight } from '../image/scale-box.ts';
import { constantOutputModel, frameToCanvas, removeTempModels, writeTempModel, yunetOutputs, type CanvasFace, type Placed, type SyntheticOutput } from '../testing/synthetic-onnx.ts';
import type { Detector, RawDetection } from './detector.ts';
import { detectorFactory } from './registry.ts';
import { canvasFor, letterboxGeometry, letterboxImage } from './scrfd.ts';
import { decodeYunet } from './yunet.ts';

const entry = (file: string): ModelEntry => ({
  role: 'detector',
  kind: 'yunet',
  id: 'synthetic-yunet',
  file,
  input: { width: 640, height: 640, channels: 3, colour: 'bgr', normalisation: { mean: [0], std: [1] } },
  thresholds: { score: 0.9, nms: 0.3, topK: 5000 },
});

const opened: Detector[] = [];
afterAll(async () => {
  for (const d of opened) await d.close();
  removeTempModels();
});

async function open(outputs: readonly SyntheticOutput[]): Promise<Detector> {
  // the Zoo file's input: named "input", fixed [1, 3, 640, 640]
  const e = entry(writeTempModel('yunet_synthetic.onnx', constantOutputModel('input', [1, 3, 640, 640], outputs)));
  const det = await detectorFactory(e.kind).create(e, e.file, { intraOpThreads: 1 });
  opened.push(det);
  return det;
}

const detectorFor = (faces: readonly Placed[], s: number) => open(yunetOutputs(640, 640, faces.map((p) => ({ ...p, face: frameToCanvas(p.face, s) }))));

const blank = (width: number, height: number): RgbImage => ({ width, height, data: new Uint8Array(width * height * 3).fill(90) });

const A: CanvasFace = {
  box: { x1: 200, y1: 160, x2: 420, y2: 440 },
  landmarks5: [[260, 270], [360, 268], [310, 330], [268, 390], [352, 389]],
  score: 0.97,
};
const B: CanvasFace = {
  box: { x1: 700, y1: 300, x2: 780, y2: 400 },
  landmarks5: [[722, 340], [758, 341], [740, 362], [725, 382], [755, 381]],
  score: 0.93,
};
const A_DUP: CanvasFace = {
  box: { x1: 208, y1: 166, x2: 424, y2: 440 },
  landmarks5: A.landmarks5.map(([x, y]) => [x + 4, y + 2] as const),
  score: 0.91,
};
/** Under the manifest's score threshold 0.9. */
const WEAK: CanvasFace = {
  box: { x1: 1000, y1: 100, x2: 1100, y2: 230 },
  landmarks5: [[1025, 150], [1075, 150], [1050, 180], [1030, 205], [1070, 205]],
  score: 0.6,
};
const FACES: Placed[] = [
  { face: A, stride: 32 },
  { face: B, stride: 8 },
  { face: A_DUP, stride: 16 },
  { face: WEAK, stride: 16 },
];

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

describe('YuNet input', () => {
  it('is the letterboxed frame as raw BGR 0–255 (blue in plane 0), black padding', () => {
    const input = entry('x').input;
    const canvas = canvasFor(input);
    const img: RgbImage = { width: 1280, height: 720, data: new Uint8Array(1280 * 720 * 3) };
    for (let i = 0; i < img.data.length; i += 3) img.data.set([200, 100, 50], i);
    const lb = letterboxGeometry({ x1: 0, y1: 0, x2: 1280, y2: 720 }, canvas);
    expect(lb).toMatchObject({ w: 640, h: 360, sx: 0.5, sy: 0.5 });
    const t = new Float32Array(3 * 640 * 640);
    writeTensor(letterboxImage(img, lb, canvas), { ...input, width: 640, height: 640 }, t);
    const at = 100 * 640 + 100;
    expect([t[at], t[640 * 640 + at], t[2 * 640 * 640 + at]]).toEqual([50, 100, 200]);
    expect(t[500 * 640 + 100]).toBe(0);
  });

  it('rounds a manifest size up to a multiple of 32, as OpenCV pads', () => {
    expect(canvasFor({ ...entry('x').input, width: 500, height: 300 })).toEqual({ width: 512, height: 320 });
  });
});

describe('YuNet score', () => {
  it('is sqrt(cls · obj) with both clamped to [0, 1]', () => {
    const level = (cls: number, obj: number) => ({
      stride: 32,
      cols: 1,
      cls: new Float32Array([cls]),
      obj: new Float32Array([obj]),
      bbox: new Float32Array(4),
      kps: new Float32Array(10),
    });
    expect(decodeYunet([level(1.3, 0.64)], 0)[0]!.score).toBeCloseTo(0.8, 6);
    expect(decodeYunet([level(0.25, 0.64)], 0)[0]!.score).toBeCloseTo(0.4, 6);
    expect(decodeYunet([level(-0.2, 0.9)], 0)[0]!.score).toBe(0);
    // exp decoding of the size: b = 0 → one stride; centre (c + 0)·s
    expect(decodeYunet([level(1, 1)], 0)[0]!.box).toEqual({ x1: -16, y1: -16, x2: 16, y2: 16 });
  });
});

describe('YuNet decoder on synthetic ONNX outputs', () => {
  it('maps two faces back to frame pixels (1280×720, scale 0.5), drops the weak one, NMS removes the duplicate', async () => {
    const det = await detectorFor(FACES, 0.5);
    const found = await det.detect(blank(1280, 720));
    expect(found).toHaveLength(2);
    expectFace(found[0], A);
    expectFace(found[1], B);
  });

  it('a lower minScore lets the weak face through', async () => {
    const det = await detectorFor(FACES, 0.5);
    const all = await det.detect(blank(1280, 720), { minScore: 0.5 });
    expect(all).toHaveLength(3);
    expectFace(all[2], WEAK);
  });

  it('maps back through a portrait letterbox (600×1000, scale 0.64, padding on the right)', async () => {
    const P: CanvasFace = {
      box: { x1: 350, y1: 700, x2: 500, y2: 900 },
      landmarks5: [[390, 780], [460, 781], [425, 820], [395, 860], [455, 861]],
      score: 0.95,
    };
    const det = await detectorFor([{ face: P, stride: 16 }], 0.64);
    const found = await det.detect(blank(600, 1000));
    expect(found).toHaveLength(1);
    expectFace(found[0], P);
  });

  it('refuses the older loc/conf/iou format, naming the outputs it found', async () => {
    const det = await open([
      { name: 'loc', dims: [1, 10, 14], data: new Float32Array(140) },
      { name: 'conf', dims: [1, 10, 2], data: new Float32Array(20) },
      { name: 'iou', dims: [1, 10, 1], data: new Float32Array(10) },
    ]);
    await expect(det.detect(blank(320, 240))).rejects.toThrow(/YuNet output cls_8 missing \(outputs: loc, conf, iou\)/);
  });
});
