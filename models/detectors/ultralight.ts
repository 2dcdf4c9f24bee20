// Ultra-Light-Fast-Generic-Face-Detector-1MB (Linzaer): the whole frame squeezed to the model's input (aspect
// not kept), (v − 127)/128, outputs already decoded — `scores` [N, P, 2] softmaxed and `boxes` [N, P, 4] as
// normalised x1, y1, x2, y2. Processing per shared/docs/MODELS.md; the lib's NMS order (by y2) is replaced by
// the usual score order.
import type { Box, RgbImage } from '../../schemas/records.ts';
import type { ModelEntry } from '../manifest.ts';
import { createSession, outputData, runFilled, type SessionOptions, releaseOnce } from '../session.ts';
import { resizeRegion } from '../image/resize-region.ts';
import { tensorSize, writeTensor } from '../image/to-tensor.ts';
import { toRawDetections, type DetectOptions, type Detector, type DetectorFactory, type RawDetection } from './detector.ts';
import { detectionRegions, mergeRegions } from './tiles.ts';

const DEFAULT_SCORE = 0.65;
const DEFAULT_NMS = 0.4;

async function create(entry: ModelEntry, modelFile: string, sessionOpts: SessionOptions): Promise<Detector> {
  const session = await createSession(modelFile, sessionOpts);
  const input = entry.input;
  const per = tensorSize(input);
  const manifestScore = entry.thresholds?.['score'] ?? DEFAULT_SCORE;
  const nmsIou = entry.thresholds?.['nms'] ?? DEFAULT_NMS;

  async function detect(image: RgbImage, opts: DetectOptions = {}): Promise<RawDetection[]> {
    const minScore = opts.minScore ?? manifestScore;
    const regions = detectionRegions(image.width, image.height, opts.tiles);

    // All regions go through the network in one batched call.
    // region 0 is the whole frame, which the decoder may have resized already
    const given = opts.resized && opts.resized.width === input.width && opts.resized.height === input.height ? opts.resized : undefined;
    const resized = await Promise.all(regions.map((r, i) => (i === 0 && given ? given : resizeRegion(image, r.box, input.width, input.height))));
    const out = await runFilled(session, per * regions.length, regions.length, [input.channels, input.height, input.width], (data) =>
      resized.forEach((img, i) => writeTensor(img, input, data, i * per)),
    );
    const scores = outputData(session, out, 'scores');
    const boxes = outputData(session, out, 'boxes');
    const priors = scores.length / 2 / regions.length;

    const perRegion = regions.map((r, ri) => {
      const rw = r.box.x2 - r.box.x1;
      const rh = r.box.y2 - r.box.y1;
      const candidates: { box: Box; score: number }[] = [];
      for (let p = 0; p < priors; p++) {
        const k = ri * priors + p;
        const score = scores[k * 2 + 1]!;
        if (score < minScore) continue;
        const b: Box = {
          x1: r.box.x1 + boxes[k * 4]! * rw,
          y1: r.box.y1 + boxes[k * 4 + 1]! * rh,
          x2: r.box.x1 + boxes[k * 4 + 2]! * rw,
          y2: r.box.y1 + boxes[k * 4 + 3]! * rh,
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
