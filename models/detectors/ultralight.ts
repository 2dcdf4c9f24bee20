// Ultra-Light-Fast-Generic-Face-Detector-1MB (Linzaer): the whole frame squeezed to the model's input (aspect
// not kept), (v − 127)/128. The published graph decodes its outputs itself (`scores` softmaxed, `boxes` as
// normalised x1, y1, x2, y2); that step is cut off (ultralight-heads.ts) and only the anchors over the score
// threshold are decoded here (ultralight-priors.ts). Processing per shared/docs/MODELS.md; the lib's NMS order (by
// y2) is replaced by the usual score order.
import type { Box, RgbImage } from '../../schemas/records.ts';
import type { ModelEntry } from '../manifest.ts';
import { existsSync, readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { createSessionFromBytes, ModelFileMissingError, outputData, runFilled, type SessionOptions, releaseOnce } from '../session.ts';
import { BYTE_INPUT, canTakeBytes, withByteInput } from './byte-input.ts';
import { LOCATIONS_OUTPUT, LOGITS_OUTPUT, withRawHeads } from './ultralight-heads.ts';
import { decodeBox, faceScore, ultralightPriors } from './ultralight-priors.ts';
import { resizeRegion } from '../image/resize-region.ts';
import { tensorSize, writeTensor } from '../image/to-tensor.ts';
import { toRawDetections, type DetectOptions, type Detector, type DetectorFactory, type RawDetection } from './detector.ts';
import { detectionRegions, mergeRegions } from './tiles.ts';

const DEFAULT_SCORE = 0.65;
const DEFAULT_NMS = 0.4;

async function create(entry: ModelEntry, modelFile: string, sessionOpts: SessionOptions): Promise<Detector> {
  const input = entry.input;
  // RGB models take the frame's bytes (byte-input.ts); others get floats written here
  const bytes = canTakeBytes(input);
  if (!existsSync(modelFile)) throw new ModelFileMissingError(modelFile);
  const raw = withRawHeads(readFileSync(modelFile));
  const session = await createSessionFromBytes(bytes ? withByteInput(raw, input) : raw, sessionOpts);
  const priors = ultralightPriors(input.width, input.height);
  const anchors = priors.length / 4;
  const per = tensorSize(input);
  const manifestScore = entry.thresholds?.['score'] ?? DEFAULT_SCORE;
  const nmsIou = entry.thresholds?.['nms'] ?? DEFAULT_NMS;

  // onnxruntime-node refuses views of shared memory (the decoder's frames), so the bytes are copied (~20 µs) into
  // ordinary buffers, reused: a few, as calls on one thread overlap while a run waits for its turn
  const freeBytes: Uint8Array[] = [];
  async function runOnBytes(images: readonly RgbImage[], n: number): Promise<ort.InferenceSession.OnnxValueMapType> {
    let data = freeBytes.pop();
    if (!data || data.byteLength !== per * n) data = new Uint8Array(per * n);
    try {
      images.forEach((img, i) => {
        if (img.data.byteLength !== per) throw new Error(`detector input of ${img.data.byteLength} bytes, expected ${per}`);
        data.set(img.data, i * per);
      });
      return await session.run({ [BYTE_INPUT]: new ort.Tensor('uint8', data, [n, input.height, input.width, 3]) });
    } finally {
      if (freeBytes.length < 4) freeBytes.push(data);
    }
  }

  async function detect(image: RgbImage, opts: DetectOptions = {}): Promise<RawDetection[]> {
    const minScore = opts.minScore ?? manifestScore;
    // the score is a sigmoid of the logits' difference: anchors below this difference cannot pass (no exp for them)
    const minLogit = minScore <= 0 ? -Infinity : minScore >= 1 ? Infinity : Math.log(minScore / (1 - minScore)) - 1e-6;
    const regions = detectionRegions(image.width, image.height, opts.tiles);

    // All regions go through the network in one batched call.
    // region 0 is the whole frame, which the decoder may have resized already
    const given = opts.resized && opts.resized.width === input.width && opts.resized.height === input.height ? opts.resized : undefined;
    const resized = await Promise.all(regions.map((r, i) => (i === 0 && given ? given : resizeRegion(image, r.box, input.width, input.height))));
    const out = bytes
      ? await runOnBytes(resized, regions.length)
      : await runFilled(session, per * regions.length, regions.length, [input.channels, input.height, input.width], (data) =>
          resized.forEach((img, i) => writeTensor(img, input, data, i * per)),
        );
    const logits = outputData(session, out, LOGITS_OUTPUT);
    const locations = outputData(session, out, LOCATIONS_OUTPUT);
    if (logits.length !== anchors * 2 * regions.length) throw new Error(`detector answered ${logits.length / 2} anchors, expected ${anchors * regions.length}`);
    const unit = new Float64Array(4);

    const perRegion = regions.map((r, ri) => {
      const rw = r.box.x2 - r.box.x1;
      const rh = r.box.y2 - r.box.y1;
      const candidates: { box: Box; score: number }[] = [];
      for (let p = 0; p < anchors; p++) {
        const k = ri * anchors + p;
        if (logits[k * 2 + 1]! - logits[k * 2]! < minLogit) continue;
        const score = faceScore(logits, k);
        if (score < minScore) continue;
        decodeBox(locations, k, priors, p, unit);
        const b: Box = {
          x1: r.box.x1 + unit[0]! * rw,
          y1: r.box.y1 + unit[1]! * rh,
          x2: r.box.x1 + unit[2]! * rw,
          y2: r.box.y1 + unit[3]! * rh,
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
    wholeFrameInput: { width: input.width, height: input.height },
    detect,
    close: releaseOnce(session),
  };
}

export const ultralight: DetectorFactory = { kind: 'ultralight', create };
