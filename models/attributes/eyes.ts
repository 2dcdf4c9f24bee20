// Eye state from the tiny 24×24 grey CNN, run on each eye: the 68-point model is re-run on the face box to find
// the eyelids (DetectedFace carries only 5 points), each eye is cropped square, 1.6 × its corner-to-corner width,
// around the mean of its four lid points, grey /255. softmax[0] = closed. The face is 'closed' when the mean
// closed probability of its two eyes exceeds the manifest threshold `closed`; confidence is that class's mean
// probability. Glasses often read as closed (shared/docs/MODELS.md).
import type { Box } from '../../schemas/records.ts';
import { createSession, outputData, runBatch, releaseOnce } from '../session.ts';
import { squareByMax } from '../image/scale-box.ts';
import type { AttributeHeadFactory } from './head.ts';
import { cropBatch, shapeOf, type CropRequest } from './crop-batch.ts';
import { softmax } from './softmax.ts';
import type { Landmarks68 } from '../landmarks/landmarks68.ts';
import { LEFT_EYE_LIDS, RIGHT_EYE_LIDS } from '../landmarks/five-points.ts';

const DEFAULT_CLOSED = 0.5;

/** Square crop around one eye: centre = mean of lid points, side = scale × distance between the eye corners. */
export function eyeBox(l: Landmarks68, lids: readonly number[], outer: number, inner: number, scale: number): Box {
  let cx = 0;
  let cy = 0;
  for (const i of lids) {
    cx += l[2 * i]!;
    cy += l[2 * i + 1]!;
  }
  cx /= lids.length;
  cy /= lids.length;
  const side = Math.max(2, Math.hypot(l[2 * inner]! - l[2 * outer]!, l[2 * inner + 1]! - l[2 * outer + 1]!) * scale);
  return { x1: cx - side / 2, y1: cy - side / 2, x2: cx + side / 2, y2: cy + side / 2 };
}

export const eyesHead: AttributeHeadFactory = {
  key: 'eyes',
  role: 'eyes',
  async create(entry, modelFile, sessionOpts, deps) {
    const session = await createSession(modelFile, sessionOpts);
    const scale = entry.crop?.scale ?? 1.6;
    const threshold = entry.thresholds?.['closed'] ?? DEFAULT_CLOSED;
    return {
      key: 'eyes',
      async run(faces) {
        if (faces.length === 0) return [];
        const crops: CropRequest[] = [];
        for (const { image, face } of faces) {
          const [l] = await deps.landmarks.predict(image, [squareByMax(face.box)]);
          // iBUG: left eye (in the image) 36–41, corners 36/39; right eye 42–47, corners 42/45
          crops.push({ image, box: eyeBox(l!, LEFT_EYE_LIDS, 36, 39, scale) });
          crops.push({ image, box: eyeBox(l!, RIGHT_EYE_LIDS, 42, 45, scale) });
        }
        const logits = outputData(session, await runBatch(session, cropBatch(crops, entry.input), crops.length, shapeOf(entry.input)));
        const k = logits.length / crops.length;
        return faces.map((_, n) => {
          const pClosed = (softmax(logits, 2 * n * k, k)[0]! + softmax(logits, (2 * n + 1) * k, k)[0]!) / 2;
          return { eyes: pClosed > threshold ? { name: 'closed' as const, confidence: pClosed } : { name: 'open' as const, confidence: 1 - pClosed } };
        });
      },
      close: releaseOnce(session),
    };
  },
};
