// Sharpness as the variance of the Laplacian (Pech-Pacheco et al. 2000): blur removes high frequencies, so the
// Laplacian's spread drops. Measured on a fixed-size grey crop so faces of different sizes are comparable.
import type { Box, RgbImage } from '../../schemas/records.ts';
import { cropResize } from './crop-resize.ts';
import { toGrey, type GreyImage } from './grey.ts';

/** Variance of the 4-neighbour Laplacian over the interior pixels (0–255 grey scale). */
export function laplacianVariance(g: GreyImage): number {
  const { width: w, height: h, data } = g;
  let sum = 0;
  let sumSq = 0;
  let n = 0;
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      const v = data[i - 1]! + data[i + 1]! + data[i - w]! + data[i + w]! - 4 * data[i]!;
      sum += v;
      sumSq += v * v;
      n++;
    }
  }
  if (n === 0) return 0;
  const mean = sum / n;
  return sumSq / n - mean * mean;
}

/** Side of the square grey crop the face is resampled to before measuring. */
export const SHARPNESS_CROP = 64;
/**
 * Half-saturation constant: a Laplacian variance equal to this maps to 0.5. Measured at 64 px (medians, p10–p90):
 * deepface photo faces 1431 (914–2202) → 0.9; the same blurred with σ = 1 px at crop scale 161 (110–248) → 0.5;
 * σ = 2 px 25 (17–36) → 0.14; faces in the 480×270 sample clips 143 (40–161) → 0.5.
 */
export const SHARPNESS_HALF = 150;

/** Sharpness of a face box on a 0..1 scale: v / (v + SHARPNESS_HALF) with v the Laplacian variance. */
export function faceSharpness(img: RgbImage, box: Box): number {
  return cropSharpness(cropResize(img, box, SHARPNESS_CROP, SHARPNESS_CROP));
}

const greyScratch = new Float32Array(SHARPNESS_CROP * SHARPNESS_CROP);

/** faceSharpness of a face already resampled to SHARPNESS_CROP × SHARPNESS_CROP. */
export function cropSharpness(crop: RgbImage): number {
  if (crop.width !== SHARPNESS_CROP || crop.height !== SHARPNESS_CROP) {
    throw new Error(`cropSharpness: crop is ${crop.width}×${crop.height}, sharpness is measured at ${SHARPNESS_CROP}×${SHARPNESS_CROP}`);
  }
  return greySharpness(toGrey(crop, greyScratch));
}

/** faceSharpness of a face already resampled to grey at SHARPNESS_CROP × SHARPNESS_CROP (0–255, cropResizeGrey). */
export function greySharpness(grey: GreyImage): number {
  if (grey.width !== SHARPNESS_CROP || grey.height !== SHARPNESS_CROP) {
    throw new Error(`greySharpness: crop is ${grey.width}×${grey.height}, sharpness is measured at ${SHARPNESS_CROP}×${SHARPNESS_CROP}`);
  }
  const v = laplacianVariance(grey);
  return v / (v + SHARPNESS_HALF);
}
