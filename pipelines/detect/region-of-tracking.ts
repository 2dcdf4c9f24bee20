// FindFace's region of tracking (`rot`): faces are detected only inside it. The frame is cut to the region before
// detection, which also spares the detector the rest of the frame, and the faces found are moved back to frame
// pixels, so nothing downstream knows a region was used.
import type { Box, DetectedFace, RgbImage } from '../../schemas/records.ts';
import type { Region } from '../track/box.ts';
import { translate } from '../track/box.ts';
import { copyRegion } from '../track/post-crop.ts';

/** The integer rectangle (x2/y2 exclusive) of `region` within a width × height frame; null when they do not meet. */
export function regionInFrame(region: Region, width: number, height: number): Box | null {
  const x1 = Math.max(0, region.x);
  const y1 = Math.max(0, region.y);
  const x2 = Math.min(width, region.x + region.width);
  const y2 = Math.min(height, region.y + region.height);
  return x2 > x1 && y2 > y1 ? { x1, y1, x2, y2 } : null;
}

/** A face found in a crop whose top-left corner is (dx, dy) of the frame, in frame pixels. */
export function faceInFrame(face: DetectedFace, dx: number, dy: number): DetectedFace {
  return { ...face, box: translate(face.box, dx, dy), landmarks5: face.landmarks5.map(([x, y]) => [x + dx, y + dy] as const) };
}

/**
 * The faces `detect` finds in `image` inside `region` (null = the whole frame, detected as usual with the decoder's
 * detector-size image when there is one).
 */
export async function detectInRegion(
  detect: (image: RgbImage, detectorImage?: RgbImage) => Promise<DetectedFace[]>,
  image: RgbImage,
  detectorImage: RgbImage | undefined,
  region: Region | null,
): Promise<DetectedFace[]> {
  const rect = region === null ? null : regionInFrame(region, image.width, image.height);
  if (region === null || (rect && rect.x1 === 0 && rect.y1 === 0 && rect.x2 === image.width && rect.y2 === image.height)) return detect(image, detectorImage);
  if (rect === null) return [];
  const crop = copyRegion({ left: 0, top: 0, image }, rect);
  return (await detect(crop.image)).map((f) => faceInFrame(f, rect.x1, rect.y1));
}
