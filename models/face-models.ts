// Builds the pipeline's FaceModels from a manifest: detector + landmarks for detect(), the embedder for embed(),
// and only the attribute heads switched on for attributes(). Heads that are off are never loaded.
import type { Box, DetectedFace, FaceAttributes, RgbImage } from '../schemas/records.ts';
import type { DetectConfig } from '../pipelines/detect/config.ts';
import type { AttributesConfig } from '../pipelines/embed/config.ts';
import type { FaceInImage, FaceModels } from './face-models.types.ts';
import { DEFAULT_PREPARED_DIR, findModel, loadManifest, modelPath, type Manifest, type ModelEntry, type ModelRole } from './manifest.ts';
import { ModelFileMissingError, type SessionOptions } from './session.ts';
import { detectorFactory } from './detectors/registry.ts';
import { embedderFactory } from './embedders/registry.ts';
import { createLandmarkModel } from './landmarks/landmarks68.ts';
import { fivePoints } from './landmarks/five-points.ts';
import { estimateHeadPose } from './landmarks/head-pose-estimate.ts';
import { clipBox } from './image/scale-box.ts';
import { faceSharpness, greySharpness, SHARPNESS_CROP } from './image/sharpness.ts';
import { faceQuality } from './quality.ts';
import { appearanceDescriptor } from './appearance.ts';
import { ATTRIBUTE_HEADS } from './attributes/registry.ts';
import type { AttributeHead, AttributeKey } from './attributes/head.ts';
import { existsSync } from 'node:fs';

export interface LoadFaceModelsOptions {
  readonly manifestPath?: string;
  readonly preparedDir?: string;
  readonly detect: DetectConfig;
  /** ONNX intra-op threads per session; 0 = all cores */
  readonly intraOpThreads: number;
  /** heads to load; absent = none */
  readonly attributes?: AttributesConfig;
  /** faces per embedder call (default 8: throughput flattens beyond on 2 cores) */
  readonly embedBatchSize?: number;
}

function required(manifest: Manifest, role: ModelRole, path: string): ModelEntry {
  const e = findModel(manifest, role);
  if (!e) throw new Error(`model manifest ${path} has no ${role} model`);
  return e;
}

const sameBox = (a: Box, b: Box): boolean => a.x1 === b.x1 && a.y1 === b.y1 && a.x2 === b.x2 && a.y2 === b.y2;

function fileOf(entry: ModelEntry, preparedDir: string): string {
  const f = modelPath(entry, preparedDir);
  if (!existsSync(f)) throw new ModelFileMissingError(f);
  return f;
}

export async function loadFaceModels(opts: LoadFaceModelsOptions): Promise<FaceModels> {
  const manifestPath = opts.manifestPath ?? 'models/faceplugin.manifest.json';
  const manifest = opts.manifestPath ? loadManifest(opts.manifestPath) : loadManifest();
  const preparedDir = opts.preparedDir ?? DEFAULT_PREPARED_DIR;
  const session: SessionOptions = { intraOpThreads: opts.intraOpThreads };

  const detEntry = required(manifest, 'detector', manifestPath);
  const lmEntry = required(manifest, 'landmarks', manifestPath);
  const embEntry = required(manifest, 'embedder', manifestPath);
  // Check every needed file before opening any session, so a half-prepared install fails with one clear message.
  const wanted = ATTRIBUTE_HEADS.filter((h) => opts.attributes?.[h.key] === true);
  const headEntries = wanted.map((h) => ({ h, entry: required(manifest, h.role, manifestPath) }));
  const files = {
    det: fileOf(detEntry, preparedDir),
    lm: fileOf(lmEntry, preparedDir),
    emb: fileOf(embEntry, preparedDir),
    heads: headEntries.map(({ entry }) => fileOf(entry, preparedDir)),
  };

  const detector = await detectorFactory(detEntry.kind).create(detEntry, files.det, session);
  const landmarks = await createLandmarkModel(lmEntry, files.lm, session);
  const embedder = await embedderFactory(embEntry.kind).create(embEntry, files.emb, { ...session, batchSize: opts.embedBatchSize ?? 8 });
  const heads = new Map<AttributeKey, AttributeHead>();
  for (const [i, { h, entry }] of headEntries.entries()) heads.set(h.key, await h.create(entry, files.heads[i]!, session, { landmarks }));

  const detectOpts = {
    minScore: opts.detect.min_score,
    minFaceSize: opts.detect.min_face_size,
    tiles: opts.detect.tiling ? opts.detect.tile_grid : 0,
  };
  let closed = false;

  async function detect(image: RgbImage, detectorImage?: RgbImage): Promise<DetectedFace[]> {
    const raws = await detector.detect(image, detectorImage ? { ...detectOpts, resized: detectorImage } : detectOpts);
    const boxes = raws.map((r) => clipBox(r.box, image.width, image.height));
    // Sharpness is measured on the clipped box at 64×64 grey: for a face inside the frame that is exactly the
    // landmark model's input, so the face is resampled once, not twice (~0.3 ms a face at 720p).
    const sharpnesses: (number | undefined)[] = raws.map(() => undefined);
    const lms = await landmarks.predictGrey(
      image,
      raws.map((r) => r.box),
      (i, crop) => {
        if (sameBox(crop.box, boxes[i]!) && crop.grey.width === SHARPNESS_CROP && crop.grey.height === SHARPNESS_CROP) sharpnesses[i] = greySharpness(crop.grey);
      },
    );
    return raws.map((r, i) => {
      const l = lms[i]!;
      const pose = estimateHeadPose(l);
      const box = boxes[i]!;
      const sharpness = sharpnesses[i] ?? faceSharpness(image, box);
      return {
        box,
        score: r.score,
        landmarks5: r.landmarks5 ?? fivePoints(l),
        pose,
        sharpness,
        quality: faceQuality({ score: r.score, height: r.box.y2 - r.box.y1, pose, sharpness }),
        appearance: appearanceDescriptor(image, r.box),
      };
    });
  }

  async function attributes(faces: readonly FaceInImage[], which: AttributesConfig): Promise<FaceAttributes[]> {
    const results: Partial<Record<AttributeKey, unknown>>[] = faces.map(() => ({}));
    for (const [key, head] of heads) {
      if (!which[key] || faces.length === 0) continue;
      const part = await head.run(faces);
      part.forEach((p, i) => Object.assign(results[i]!, p));
    }
    return results as FaceAttributes[];
  }

  return {
    embedderId: embedder.id,
    ...(detector.wholeFrameInput ? { detectorInput: detector.wholeFrameInput } : {}),
    concurrency: 1,
    detect,
    embed: (faces) => embedder.embed(faces),
    attributes,
    async close() {
      if (closed) return;
      closed = true;
      await detector.close();
      await landmarks.close();
      await embedder.close();
      for (const h of heads.values()) await h.close();
    },
  };
}
