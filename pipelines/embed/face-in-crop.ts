// Models take a face with coordinates in the image they are given; a post's face is in frame coordinates and
// its pixels are a crop starting at (left, top), so the face is moved into the crop's coordinates.
import type { DetectedFace, ImageRegion, Point } from '../../schemas/records.ts';

export function faceInCrop(face: DetectedFace, crop: ImageRegion): DetectedFace {
  const { left, top } = crop;
  if (left === 0 && top === 0) return face;
  const { box } = face;
  return {
    ...face,
    box: { x1: box.x1 - left, y1: box.y1 - top, x2: box.x2 - left, y2: box.y2 - top },
    landmarks5: face.landmarks5.map(([x, y]): Point => [x - left, y - top]),
  };
}
