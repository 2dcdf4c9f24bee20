// The pixels a face post carries. Posts outlive their frame (and cross Kafka as JPEG), so they keep a copy of
// the region around the face, wide enough for every crop a model head takes: the largest in the shipped
// manifest is liveness at 2.7× the box, square; alignment for the embedder needs about 1.5×.
import type { Box, ImageRegion } from '../../schemas/records.ts';

/** Side of the kept square region, in multiples of the face box's longer side. */
export const POST_CROP_SCALE = 3;

/** Integer rectangle (x2/y2 exclusive) of the square of `scale` × the box's longer side around it, within `pixels`. */
export function cropRect(pixels: ImageRegion, box: Box, scale = POST_CROP_SCALE): Box {
  const side = scale * Math.max(box.x2 - box.x1, box.y2 - box.y1);
  const cx = (box.x1 + box.x2) / 2;
  const cy = (box.y1 + box.y2) / 2;
  const { left, top, image } = pixels;
  const x1 = Math.max(left, Math.floor(cx - side / 2));
  const y1 = Math.max(top, Math.floor(cy - side / 2));
  return {
    x1,
    y1,
    x2: Math.max(x1, Math.min(left + image.width, Math.ceil(cx + side / 2))),
    y2: Math.max(y1, Math.min(top + image.height, Math.ceil(cy + side / 2))),
  };
}

/** Where a copy's pixels go: ordinary memory by default. */
export type PixelAlloc = (bytes: number) => Uint8Array;
const ordinary: PixelAlloc = (bytes) => new Uint8Array(bytes);

/** A copy of the pixels of `rect` (frame coordinates, inside `pixels`). */
export function copyRegion(pixels: ImageRegion, rect: Box, alloc = ordinary): ImageRegion {
  const { left, top, image } = pixels;
  const width = rect.x2 - rect.x1;
  const height = rect.y2 - rect.y1;
  const data = alloc(width * height * 3);
  const srcStride = image.width * 3;
  for (let y = 0; y < height; y++) {
    const from = (rect.y1 - top + y) * srcStride + (rect.x1 - left) * 3;
    data.set(image.data.subarray(from, from + width * 3), y * width * 3);
  }
  return { left: rect.x1, top: rect.y1, image: { width, height, data } };
}

/** A copy of the post crop around `box`, clipped to `pixels`. */
export function cropAround(pixels: ImageRegion, box: Box, scale = POST_CROP_SCALE, alloc = ordinary): ImageRegion {
  return copyRegion(pixels, cropRect(pixels, box, scale), alloc);
}
