// FindFace's motion gate (`imotion_threshold`): a frame goes to detection only if the scene moved enough since the
// last frame that went. Motion is the mean absolute grey-level change, 0…1, of a small thumbnail: block means of a
// sparse grid of samples, so the cost stays a few tens of thousands of reads whatever the frame size, and
// compression noise averages out inside each block. Compared with the last frame handed on (not the previous
// decoded one), so slow motion adds up until it passes.
import type { RgbImage } from '../../schemas/records.ts';

/** Thumbnail width in blocks (height follows the frame's aspect). */
const THUMB_WIDTH = 64;
/** Samples per block side: 4 × 4 points a block. */
const SAMPLES = 4;

/** The grey thumbnail (block means, 0…255) of `image`, `THUMB_WIDTH` blocks wide. */
export function greyThumbnail(image: RgbImage): Float32Array {
  const tw = Math.min(THUMB_WIDTH, image.width);
  const th = Math.max(1, Math.min(image.height, Math.round((image.height * tw) / image.width)));
  const out = new Float32Array(tw * th);
  const bw = image.width / tw;
  const bh = image.height / th;
  const { data, width } = image;
  for (let by = 0; by < th; by++) {
    for (let bx = 0; bx < tw; bx++) {
      let sum = 0;
      for (let sy = 0; sy < SAMPLES; sy++) {
        const y = Math.floor(by * bh + ((sy + 0.5) * bh) / SAMPLES);
        for (let sx = 0; sx < SAMPLES; sx++) {
          const x = Math.floor(bx * bw + ((sx + 0.5) * bw) / SAMPLES);
          const i = (y * width + x) * 3;
          // ITU-R BT.601 luma, integer weights
          sum += (77 * data[i]! + 150 * data[i + 1]! + 29 * data[i + 2]!) >> 8;
        }
      }
      out[by * tw + bx] = sum / (SAMPLES * SAMPLES);
    }
  }
  return out;
}

/** Mean absolute difference of two thumbnails of one size, as a fraction of the grey range (0…1). */
export function motionIntensity(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return 1; // the stream changed size: as good as all new
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / (a.length * 255);
}

/** The gate of one camera: decides frame by frame with the threshold of the moment (0 = every frame passes). */
export class MotionGate {
  private reference: Float32Array | null = null;

  /** Whether `image` moved at least `threshold` since the last frame that passed; a passing frame becomes the reference. */
  accept(image: RgbImage, threshold: number): boolean {
    if (threshold <= 0) {
      this.reference = null; // off: when it is switched on again, the first frame passes
      return true;
    }
    const thumb = greyThumbnail(image);
    if (this.reference !== null && motionIntensity(thumb, this.reference) < threshold) return false;
    this.reference = thumb;
    return true;
  }
}
