// Ultra-Light-Fast-Generic-Face-Detector-1MB (Linzaer): the whole frame resized to the model's input width and
// as tall as its aspect makes it, up to the manifest's height (320×180 for 16:9 video; 4:3 and taller frames are
// squeezed to 320×240 as the reference code does), (v − 127)/128. The graph's own box decoding holds priors for
// 320×240 only, so it is cut off (ultralight-graph.ts) and boxes are decoded for the size fed
// (ultralight-priors.ts); `scores` [N, P, 2] come softmaxed. Processing per shared/docs/MODELS.md; the lib's NMS
// order (by y2) is replaced by the usual score order.
import type { Box, RgbImage } from '../../schemas/records.ts';
import type { ModelEntry } from '../manifest.ts';
import { existsSync, readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { createSessionFromBytes, ModelFileMissingError, outputData, runFilled, type SessionOptions, releaseOnce } from '../session.ts';
import { BYTE_INPUT, canTakeBytes, withByteInput } from './byte-input.ts';
import { resizeRegion } from '../image/resize-region.ts';
import { writeTensor } from '../image/to-tensor.ts';
import { toRawDetections, wholeFrameSize, type DetectOptions, type Detector, type DetectorFactory, type RawDetection, type WholeFrameInput } from './detector.ts';
import { detectionRegions, mergeRegions } from './tiles.ts';
import { LOCATIONS_OUTPUT, withRawLocations } from './ultralight-graph.ts';
import { decodeBox, priorsFor, ULTRALIGHT_MIN_SIDE } from './ultralight-priors.ts';

/** The manifest's input width, its height at most (4:3 and taller frames are squeezed to it). */
export function ultralightWholeFrameInput(input: { readonly width: number; readonly height: number }): WholeFrameInput {
  return { width: input.width, maxHeight: input.height, minHeight: ULTRALIGHT_MIN_SIDE };
}

const DEFAULT_SCORE = 0.65;
const DEFAULT_NMS = 0.4;

async function create(entry: ModelEntry, modelFile: string, sessionOpts: SessionOptions): Promise<Detector> {
  const input = entry.input;
  if (!existsSync(modelFile)) throw new ModelFileMissingError(modelFile);
  // RGB models take the frame's bytes (byte-input.ts); others get floats written here
  const bytes = canTakeBytes(input);
  const anySize = withRawLocations(readFileSync(modelFile));
  const session = await createSessionFromBytes(bytes ? withByteInput(anySize, input) : anySize, sessionOpts);
  const wholeFrameInput = ultralightWholeFrameInput(input);
  const manifestScore = entry.thresholds?.['score'] ?? DEFAULT_SCORE;
  const nmsIou = entry.thresholds?.['nms'] ?? DEFAULT_NMS;

  // onnxruntime-node refuses views of shared memory (the decoder's frames), so the bytes are copied (~20 µs) into
  // ordinary buffers, reused: a few, as calls on one thread overlap while a run waits for its turn
  const freeBytes: Uint8Array[] = [];
  async function runOnBytes(images: readonly RgbImage[], width: number, height: number): Promise<ort.InferenceSession.OnnxValueMapType> {
    const per = width * height * 3;
    const n = images.length;
    let data = freeBytes.pop();
    if (!data || data.byteLength !== per * n) data = new Uint8Array(per * n);
    try {
      images.forEach((img, i) => {
        if (img.data.byteLength !== per) throw new Error(`detector input of ${img.data.byteLength} bytes, expected ${per}`);
        data.set(img.data, i * per);
      });
      return await session.run({ [BYTE_INPUT]: new ort.Tensor('uint8', data, [n, height, width, 3]) });
    } finally {
      if (freeBytes.length < 4) freeBytes.push(data);
    }
  }

  async function detect(image: RgbImage, opts: DetectOptions = {}): Promise<RawDetection[]> {
    const minScore = opts.minScore ?? manifestScore;
    const regions = detectionRegions(image.width, image.height, opts.tiles);
    // tiles keep the frame's aspect (tiles.ts), so every region goes through the network at the whole frame's size
    const { width, height } = wholeFrameSize(wholeFrameInput, image.width, image.height);

    // All regions go through the network in one batched call.
    // region 0 is the whole frame, which the decoder may have resized already
    const given = opts.resized && opts.resized.width === width && opts.resized.height === height ? opts.resized : undefined;
    const resized = await Promise.all(regions.map((r, i) => (i === 0 && given ? given : resizeRegion(image, r.box, width, height))));
    const per = input.channels * width * height;
    const out = bytes
      ? await runOnBytes(resized, width, height)
      : await runFilled(session, per * regions.length, regions.length, [input.channels, height, width], (data) =>
          resized.forEach((img, i) => writeTensor(img, { ...input, width, height }, data, i * per)),
        );
    const scores = outputData(session, out, 'scores');
    const locations = outputData(session, out, LOCATIONS_OUTPUT);
    const priors = priorsFor(width, height);
    const anchors = priors.length / 4;
    if (scores.length !== anchors * 2 * regions.length) throw new Error(`detector gave ${scores.length / 2 / regions.length} anchors at ${width}×${height}, expected ${anchors}`);
    const corners = new Float64Array(4);

    const perRegion = regions.map((r, ri) => {
      const rw = r.box.x2 - r.box.x1;
      const rh = r.box.y2 - r.box.y1;
      const candidates: { box: Box; score: number }[] = [];
      for (let p = 0; p < anchors; p++) {
        const k = ri * anchors + p;
        const score = scores[k * 2 + 1]!;
        if (score < minScore) continue;
        decodeBox(locations, k, priors, p, corners);
        const b: Box = {
          x1: r.box.x1 + corners[0]! * rw,
          y1: r.box.y1 + corners[1]! * rh,
          x2: r.box.x1 + corners[2]! * rw,
          y2: r.box.y1 + corners[3]! * rh,
        };
        if (b.x2 > b.x1 && b.y2 > b.y1) candidates.push({ box: b, score });
      }
      return candidates;
    });
    const merged = mergeRegions(perRegion, regions, nmsIou);
    return toRawDetections(merged, opts.minFaceSize);
  }

  return {
    id: entry.id,
    wholeFrameInput,
    detect,
    close: releaseOnce(session),
  };
}

export const ultralight: DetectorFactory = { kind: 'ultralight', create };
