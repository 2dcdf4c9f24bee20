// RGB → grey with the ITU-R BT.601 weights OpenCV's COLOR_RGB2GRAY uses, which the grey-input models were fed.
import type { RgbImage } from '../../schemas/records.ts';

export interface GreyImage {
  readonly width: number;
  readonly height: number;
  readonly data: Float32Array;
}

/** `into`, when given and large enough, receives the grey values (a caller's reused buffer). */
export function toGrey(img: RgbImage, into?: Float32Array): GreyImage {
  const n = img.width * img.height;
  const out = into && into.length >= n ? into.subarray(0, n) : new Float32Array(n);
  const d = img.data;
  for (let i = 0, j = 0; i < n; i++, j += 3) out[i] = 0.299 * d[j]! + 0.587 * d[j + 1]! + 0.114 * d[j + 2]!;
  return { width: img.width, height: img.height, data: out };
}
