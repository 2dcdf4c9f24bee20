// The pixels a face post carries. Posts outlive their frame (and cross Kafka as JPEG), so they keep a copy of
// the region around the face, wide enough for every crop a model head takes: the largest in the shipped
// manifest is liveness at 2.7× the box, square; alignment for the embedder needs about 1.5×.
import type { Box, ImageRegion } from '../../schemas/records.ts';

/** Side of the kept square region, in multiples of the face box's longer side. */
export const POST_CROP_SCALE = 3;

/** A copy of the square region of `scale` × the box's longer side centred on the box, clipped to `pixels`. */
export function cropAround(pixels: ImageRegion, box: Box, scale = POST_CROP_SCALE): ImageRegion {
  const side = scale * Math.max(box.x2 - box.x1, box.y2 - box.y1);
  const cx = (box.x1 + box.x2) / 2;
  const cy = (box.y1 + box.y2) / 2;
  const { left, top, image } = pixels;
  const x1 = Math.max(left, Math.floor(cx - side / 2));
  const y1 = Math.max(top, Math.floor(cy - side / 2));
  const x2 = Math.min(left + image.width, Math.ceil(cx + side / 2));
  const y2 = Math.min(top + image.height, Math.ceil(cy + side / 2));
  const width = Math.max(0, x2 - x1);
  const height = Math.max(0, y2 - y1);
  const data = new Uint8Array(width * height * 3);
  const srcStride = image.width * 3;
  for (let y = 0; y < height; y++) {
    const from = (y1 - top + y) * srcStride + (x1 - left) * 3;
    data.set(image.data.subarray(from, from + width * 3), y * width * 3);
  }
  return { left: x1, top: y1, image: { width, height, data } };
}
