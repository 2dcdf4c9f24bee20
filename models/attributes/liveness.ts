// Liveness from the MiniFASNet-family model: crop ×2.7 around the square box (scale shrunk and box shifted to stay
// inside the frame — the model needs context such as a phone or paper edge, and black padding would look like
// one), raw 0–255 BGR, 3 logits, softmax[0] = live (the lib's reading; all real faces we tried score ≥ 0.99 on it).
// 'real' when the live probability ≥ the manifest threshold `live`; confidence is the probability of the class named.
import { createSession, outputData, runBatch, releaseOnce } from '../session.ts';
import { scaleBoxInside, squareByMax } from '../image/scale-box.ts';
import type { AttributeHeadFactory } from './head.ts';
import { cropBatch, shapeOf } from './crop-batch.ts';
import { softmax } from './softmax.ts';

const DEFAULT_LIVE = 0.75;
/** index of the "live" class in the model's output */
export const LIVE_CLASS = 0;

export const livenessHead: AttributeHeadFactory = {
  key: 'liveness',
  role: 'liveness',
  async create(entry, modelFile, sessionOpts) {
    const session = await createSession(modelFile, sessionOpts);
    const scale = entry.crop?.scale ?? 2.7;
    const threshold = entry.thresholds?.['live'] ?? DEFAULT_LIVE;
    return {
      key: 'liveness',
      async run(faces) {
        if (faces.length === 0) return [];
        const data = cropBatch(
          faces.map(({ image, face }) => ({ image, box: scaleBoxInside(squareByMax(face.box), scale, image.width, image.height) })),
          entry.input,
        );
        const logits = outputData(session, await runBatch(session, data, faces.length, shapeOf(entry.input)));
        const k = logits.length / faces.length;
        return faces.map((_, n) => {
          const live = softmax(logits, n * k, k)[LIVE_CLASS]!;
          return { liveness: live >= threshold ? { name: 'real' as const, confidence: live } : { name: 'fake' as const, confidence: 1 - live } };
        });
      },
      close: releaseOnce(session),
    };
  },
};
