// Head pose from HopeNet (ShuffleNetV2 variant): three heads of 66 bins of 3° (yaw, pitch, roll, in output
// order); softmax, expectation over bin indices, × 3 − 99 = degrees. RGB with ImageNet mean/std (the lib feeds
// BGR here — shared/docs/MODELS.md corrects it: HopeNet was trained on PIL RGB images; measured, RGB agrees
// better with the eye-line roll). Crop: the manifest's scale around the square box, clipped to the frame. The lib
// and shared/docs/MODELS.md widen the box by a quarter on each side (×1.5); measured on 118 faces against the
// eye-line roll (an independent truth) and the landmark yaw, ×1.0 is far better (yaw correlation 0.97 vs 0.43,
// roll 0.82 vs 0.68, roll slope 0.79 vs 0.60), so the manifest says 1.0.
import { createSession, runBatch, releaseOnce } from '../session.ts';
import { clipBox, scaleBox } from '../image/scale-box.ts';
import type { AttributeHeadFactory } from './head.ts';
import { cropBatch, shapeOf } from './crop-batch.ts';
import { softmax } from './softmax.ts';

const BINS = 66;

export function binsToDegrees(logits: ArrayLike<number>, start: number): number {
  const p = softmax(logits, start, BINS);
  let e = 0;
  for (let i = 0; i < BINS; i++) e += i * p[i]!;
  return e * 3 - 99;
}

export const headposeHead: AttributeHeadFactory = {
  key: 'headpose',
  role: 'pose',
  async create(entry, modelFile, sessionOpts) {
    const session = await createSession(modelFile, sessionOpts);
    const scale = entry.crop?.scale ?? 1;
    const [yawName, pitchName, rollName] = session.outputNames;
    if (!yawName || !pitchName || !rollName) throw new Error(`pose model ${entry.id} must have 3 outputs`);
    return {
      key: 'headpose',
      async run(faces) {
        if (faces.length === 0) return [];
        const data = cropBatch(
          faces.map(({ image, face }) => ({ image, box: clipBox(scaleBox(face.box, scale), image.width, image.height) })),
          entry.input,
        );
        const out = await runBatch(session, data, faces.length, shapeOf(entry.input));
        const get = (name: string) => out[name]!.data as Float32Array;
        const [y, p, r] = [get(yawName), get(pitchName), get(rollName)];
        return faces.map((_, n) => ({
          headpose: { yaw: binsToDegrees(y, n * BINS), pitch: binsToDegrees(p, n * BINS), roll: binsToDegrees(r, n * BINS) },
        }));
      },
      close: releaseOnce(session),
    };
  },
};
