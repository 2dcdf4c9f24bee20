// The example manifests are complete and run "by configuration alone": each is validated, then loaded by
// loadFaceModels with its two user files swapped for SYNTHETIC ONNX graphs of the same layout (no real SCRFD,
// YuNet, ArcFace or SFace weights can be downloaded here). This proves the plumbing — kinds, input sizes, colour
// order, normalisation, batch handling — not the accuracy of the real models.
import { afterAll, describe, expect, it } from 'vitest';
import { readdirSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DetectedFace, RgbImage } from '../../schemas/records.ts';
import type { FaceModels } from '../../models/face-models.types.ts';
import { loadFaceModels } from '../../models/face-models.ts';
import { findModel, loadManifest, type Manifest } from '../../models/manifest.ts';
import { detectorFactory } from '../../models/detectors/registry.ts';
import { embedderFactory } from '../../models/embedders/registry.ts';
import { squareByHeight } from '../../models/image/scale-box.ts';
import {
  channelMeanEmbedder,
  constantOutputModel,
  frameToCanvas,
  removeTempModels,
  scrfdOutputs,
  writeTempModel,
  yunetOutputs,
  type CanvasFace,
} from '../../models/testing/synthetic-onnx.ts';

const here = dirname(fileURLToPath(import.meta.url));
const files = readdirSync(here).filter((f) => f.endsWith('.manifest.json'));
const bundled = loadManifest();

describe('example manifests', () => {
  it('there are the SCRFD/ArcFace and YuNet/SFace examples', () => {
    expect(files.sort()).toEqual(['scrfd-arcface.manifest.json', 'yunet-sface.manifest.json']);
  });

  it.each(files)('%s validates, names known kinds, has the thresholds the config needs, and reuses the bundled helper models', (f) => {
    const m = loadManifest(join(here, f));
    const det = findModel(m, 'detector')!;
    const emb = findModel(m, 'embedder')!;
    expect(() => detectorFactory(det.kind)).not.toThrow();
    expect(() => embedderFactory(emb.kind)).not.toThrow();
    expect(det.thresholds?.['score']).toBeTypeOf('number');
    expect(emb.thresholds?.['match']).toBeTypeOf('number');
    expect(emb.thresholds?.['episode']).toBeTypeOf('number');
    // the user's files are absolute placeholders; everything else is the bundled (prepared at install) file
    expect(isAbsolute(det.file) && isAbsolute(emb.file)).toBe(true);
    for (const e of m.models.filter((x) => x.role !== 'detector' && x.role !== 'embedder')) {
      const b = findModel(bundled, e.role)!;
      expect({ kind: e.kind, file: e.file, source: e.source, input: e.input, crop: e.crop }).toEqual({ kind: b.kind, file: b.file, source: b.source, input: b.input, crop: b.crop });
    }
  });
});

// ---- run each example through loadFaceModels with synthetic stand-ins ----

const opened: FaceModels[] = [];
afterAll(async () => {
  for (const m of opened) await m.close();
  removeTempModels();
});

/** The example with its detector and embedder files replaced, written next to the synthetic files. */
function withFiles(m: Manifest, detFile: string, embFile: string): string {
  const copy: Manifest = {
    ...m,
    models: m.models.map((e) => (e.role === 'detector' ? { ...e, file: detFile } : e.role === 'embedder' ? { ...e, file: embFile } : e)),
  };
  const path = join(dirname(detFile), 'manifest.json');
  writeFileSync(path, JSON.stringify(copy));
  return path;
}

const W = 1280;
const H = 720;
/** uniform colour, so the aligned crop's channel means are exactly the pixel values */
const RGB = [200, 100, 50] as const;
const image: RgbImage = (() => {
  const data = new Uint8Array(W * H * 3);
  for (let i = 0; i < data.length; i += 3) data.set(RGB, i);
  return { width: W, height: H, data };
})();
const FACE: CanvasFace = {
  box: { x1: 500, y1: 200, x2: 700, y2: 460 },
  landmarks5: [[560, 310], [640, 309], [600, 360], [565, 405], [636, 404]],
  score: 0.96,
};

const unit = (v: readonly number[]): number[] => {
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
};

async function runExample(f: string, detBytes: Uint8Array, embBytes: Uint8Array): Promise<{ faces: DetectedFace[]; vectors: Float32Array[] }> {
  const m = loadManifest(join(here, f));
  const detFile = writeTempModel('detector.onnx', detBytes);
  const embFile = join(dirname(detFile), 'embedder.onnx');
  writeFileSync(embFile, embBytes);
  const models = await loadFaceModels({
    manifestPath: withFiles(m, detFile, embFile),
    detect: { min_score: findModel(m, 'detector')!.thresholds!['score']!, min_face_size: 0, tiling: false, tile_grid: 2 },
    intraOpThreads: 1,
    embedBatchSize: 8,
  });
  opened.push(models);
  const faces = await models.detect(image);
  // embed three copies of a face with hand-placed landmarks in the uniform image (a batch of 3 in one call when
  // the model allows it, one at a time when its batch axis is fixed at 1)
  const face = { ...faces[0]!, landmarks5: FACE.landmarks5 };
  const vectors = await models.embed([0, 1, 2].map(() => ({ image, face })));
  return { faces, vectors };
}

function expectDetected(faces: DetectedFace[]): void {
  expect(faces).toHaveLength(1);
  const want = squareByHeight(FACE.box);
  (['x1', 'y1', 'x2', 'y2'] as const).forEach((k) => expect(faces[0]!.box[k]).toBeCloseTo(want[k], 3));
  expect(faces[0]!.score).toBeCloseTo(FACE.score, 5);
}

describe('example manifests run with synthetic stand-ins for the user files', () => {
  it('scrfd-arcface: SCRFD boxes in frame pixels; ArcFace gets RGB (v − 127.5)/127.5 in batches', async () => {
    const s = 0.5; // 1280×720 letterboxed into 640×640
    const det = constantOutputModel('input.1', [1, 3, '?', '?'], scrfdOutputs(640, 640, [{ face: frameToCanvas(FACE, s), stride: 16 }], { order: 'kind', batchAxis: false, kps: true, numericNames: true }));
    // InsightFace's recognition exports have a symbolic batch axis
    const { faces, vectors } = await runExample('scrfd-arcface.manifest.json', det, channelMeanEmbedder('input.1', 112, 'None'));
    expectDetected(faces);
    const want = unit(RGB.map((v) => (v - 127.5) / 127.5));
    for (const v of vectors) [...v].forEach((x, i) => expect(x).toBeCloseTo(want[i]!, 4));
  });

  it('yunet-sface: YuNet boxes in frame pixels; SFace gets raw RGB 0–255, one face per call (fixed batch of 1)', async () => {
    const s = 0.5;
    const det = constantOutputModel('input', [1, 3, 640, 640], yunetOutputs(640, 640, [{ face: frameToCanvas(FACE, s), stride: 32 }]));
    const { faces, vectors } = await runExample('yunet-sface.manifest.json', det, channelMeanEmbedder('data', 112, 1));
    expectDetected(faces);
    const want = unit([...RGB]);
    expect(vectors).toHaveLength(3);
    for (const v of vectors) [...v].forEach((x, i) => expect(x).toBeCloseTo(want[i]!, 4));
  });
});
