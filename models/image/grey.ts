// RGB → grey with the ITU-R BT.601 weights OpenCV's COLOR_RGB2GRAY uses, which the grey-input models were fed.
import type { RgbImage } from '../../schemas/records.ts';

export interface GreyImage {
  readonly width: number;
  readonly height: number;
  readonly data: Float32Array;
}

export function toGrey(img: RgbImage): GreyImage {
  const n = img.width * img.height;
  const out = new Float32Array(n);
  const d = img.data;
  for (let i = 0, j = 0; i < n; i++, j += 3) out[i] = 0.299 * d[j]! + 0.587 * d[j + 1]! + 0.114 * d[j + 2]!;
  return { width: img.width, height: img.height, data: out };
}
