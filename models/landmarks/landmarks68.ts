// The package's 68-point landmark model (iBUG order): square face box ×1.0, 64×64 grey, /256; the output is
// 136 values normalised to the crop, mapped back here to frame pixels. Faces are batched in one session call.
import type { Box, RgbImage } from '../../schemas/records.ts';
import type { ModelEntry } from '../manifest.ts';
import { createSession, outputData, runFilled, type SessionOptions, releaseOnce } from '../session.ts';
import { cropResize, cropResizeGrey } from '../image/crop-resize.ts';
import type { GreyImage } from '../image/grey.ts';
import { scaleBox } from '../image/scale-box.ts';
import { tensorSize, writeTensor } from '../image/to-tensor.ts';

/** 68 (x, y) pairs in frame pixels: [x0, y0, x1, y1, …]. */
export type Landmarks68 = Float32Array;

/** A face resampled to the model's input size, and the box (frame pixels) it was cut from. */
export interface LandmarkCrop {
  readonly box: Box;
  readonly pixels: RgbImage;
}

export interface LandmarkModel {
  /** One set per box (boxes are the detector's squared boxes). */
  predict(image: RgbImage, boxes: readonly Box[]): Promise<Landmarks68[]>;
  /**
   * predict() in two steps, so a caller can reuse the crops: detect() measures sharpness on the same 64×64
   * resampling of the face instead of cutting it out of the frame a second time.
   */
  crop(image: RgbImage, box: Box): LandmarkCrop;
  predictCrops(crops: readonly LandmarkCrop[]): Promise<Landmarks68[]>;
  /**
   * predict() for a grey-input model, resampling each face straight into the input tensor (cropResizeGrey); `seen`
   * is shown each face's grey crop (0–255, the model's input size) before it is normalised, e.g. to measure its
   * sharpness on the same resampling. Faces that a colour model reads go through predictCrops instead.
   */
  predictGrey(image: RgbImage, boxes: readonly Box[], seen?: (i: number, crop: GreyCrop) => void): Promise<Landmarks68[]>;
  close(): Promise<void>;
}

/** A face resampled to grey at the model's input size, and the box (frame pixels) it was cut from. */
export interface GreyCrop {
  readonly box: Box;
  readonly grey: GreyImage;
}

export async function createLandmarkModel(entry: ModelEntry, modelFile: string, sessionOpts: SessionOptions): Promise<LandmarkModel> {
  const session = await createSession(modelFile, sessionOpts);
  const input = entry.input;
  const per = tensorSize(input);
  const scale = entry.crop?.scale ?? 1;

  // Centred crop padded with black where the box leaves the frame, so the face stays where the model expects it.
  const crop = (image: RgbImage, b: Box): LandmarkCrop => {
    const box = scaleBox(b, scale);
    return { box, pixels: cropResize(image, box, input.width, input.height) };
  };

  const shape = [input.channels, input.height, input.width] as const;

  async function predictCrops(crops: readonly LandmarkCrop[]): Promise<Landmarks68[]> {
    if (crops.length === 0) return [];
    const ran = await runFilled(session, per * crops.length, crops.length, shape, (data) => crops.forEach((c, i) => writeTensor(c.pixels, input, data, i * per)));
    return toFrame(outputData(session, ran), crops);
  }

  async function predictGrey(image: RgbImage, boxes: readonly Box[], seen?: (i: number, crop: GreyCrop) => void): Promise<Landmarks68[]> {
    if (boxes.length === 0) return [];
    if (input.colour !== 'grey' || input.channels !== 1) return predictCrops(boxes.map((b) => crop(image, b)));
    const mean = input.normalisation.mean[0]!;
    const inv = 1 / input.normalisation.std[0]!;
    const crops = boxes.map((b) => ({ box: scaleBox(b, scale) }));
    const ran = await runFilled(session, per * boxes.length, boxes.length, shape, (data) => {
      for (const [i, { box }] of crops.entries()) {
        const slot = data.subarray(i * per, (i + 1) * per);
        const grey = cropResizeGrey(image, box, input.width, input.height, slot);
        seen?.(i, { box, grey });
        for (let k = 0; k < per; k++) slot[k] = (slot[k]! - mean) * inv;
      }
    });
    return toFrame(outputData(session, ran), crops);
  }

  /** The model's output (normalised to each crop) in frame pixels. */
  function toFrame(out: Float32Array, crops: readonly { readonly box: Box }[]): Landmarks68[] {
    const dim = out.length / crops.length;
    return crops.map(({ box: c }, i) => {
      const w = c.x2 - c.x1;
      const h = c.y2 - c.y1;
      const pts = new Float32Array(dim);
      for (let k = 0; k < dim; k += 2) {
        pts[k] = c.x1 + out[i * dim + k]! * w;
        pts[k + 1] = c.y1 + out[i * dim + k + 1]! * h;
      }
      return pts;
    });
  }

  return {
    predict: (image, boxes) => predictCrops(boxes.map((b) => crop(image, b))),
    crop,
    predictCrops,
    predictGrey,
    close: releaseOnce(session),
  };
}
