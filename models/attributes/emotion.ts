// Facial expression from the DenseNet-121 head: 7 logits (angry, disgust, fear, happy, sad, surprise, neutral),
// softmax, the most probable class with its probability as confidence. The crop is the lib's: anchored at the
// box's top-left corner, 1.2 × its width and height (not centred), clipped to the frame; RGB /255.
import type { Box, RgbImage } from '../../schemas/records.ts';
import { createSession, outputData, runBatch, releaseOnce } from '../session.ts';
import { clipBox } from '../image/scale-box.ts';
import type { AttributeHeadFactory } from './head.ts';
import { cropBatch, shapeOf } from './crop-batch.ts';
import { softmax } from './softmax.ts';

export const EMOTIONS = ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise', 'neutral'] as const;

export function emotionCrop(image: RgbImage, box: Box, scale: number): Box {
  const w = box.x2 - box.x1;
  const h = box.y2 - box.y1;
  return clipBox({ x1: box.x1, y1: box.y1, x2: box.x1 + w * scale, y2: box.y1 + h * scale }, image.width, image.height);
}

export const emotionHead: AttributeHeadFactory = {
  key: 'emotions',
  role: 'emotion',
  async create(entry, modelFile, sessionOpts) {
    const session = await createSession(modelFile, sessionOpts);
    const scale = entry.crop?.scale ?? 1.2;
    return {
      key: 'emotions',
      async run(faces) {
        if (faces.length === 0) return [];
        const data = cropBatch(faces.map(({ image, face }) => ({ image, box: emotionCrop(image, face.box, scale) })), entry.input);
        const logits = outputData(session, await runBatch(session, data, faces.length, shapeOf(entry.input)));
        const k = EMOTIONS.length;
        return faces.map((_, n) => {
          const p = softmax(logits, n * k, k);
          let best = 0;
          for (let i = 1; i < k; i++) if (p[i]! > p[best]!) best = i;
          return { emotions: { name: EMOTIONS[best]!, confidence: p[best]! } };
        });
      },
      close: releaseOnce(session),
    };
  },
};
