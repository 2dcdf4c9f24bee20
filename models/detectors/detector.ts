// The contract every detector backend implements, and the shape of its factory. A backend returns raw boxes;
// landmarks, quality and appearance are added by the caller (models/face-models.ts).
import type { Box, Point, RgbImage } from '../../schemas/records.ts';
import type { ModelEntry } from '../manifest.ts';
import type { SessionOptions } from '../session.ts';
import { squareByHeight } from '../image/scale-box.ts';

export interface RawDetection {
  /** the detector's own box, in frame pixels */
  readonly raw: Box;
  /** the box the downstream crops are defined on (for Ultra-Light: squared, side = height); may leave the frame */
  readonly box: Box;
  readonly score: number;
  /**
   * The 5 points the detector itself predicts (SCRFD, YuNet), in frame pixels, in DetectedFace.landmarks5 order:
   * eyes (left, right as seen in the image), nose tip, mouth corners (left, right). Absent for detectors without
   * landmark outputs (Ultra-Light), whose 5 points come from the landmark model.
   */
  readonly landmarks5?: readonly Point[];
}

export interface DetectOptions {
  /** overrides the manifest's score threshold */
  readonly minScore?: number;
  /** faces smaller than this (px, box height) are dropped; 0 = none */
  readonly minFaceSize?: number;
  /** also run on a tiles × tiles grid; 0 or 1 = whole frame only */
  readonly tiles?: number;
  /**
   * The whole frame already squeezed to `wholeFrameInput` (made by the decoder, models/face-models.types.ts):
   * used instead of resizing the frame. Ignored by detectors without `wholeFrameInput` or when its size differs.
   */
  readonly resized?: RgbImage;
}

export interface Detector {
  readonly id: string;
  /** Size the whole frame is squeezed to (aspect not kept) for the network, for detectors that feed it so. */
  readonly wholeFrameInput?: { readonly width: number; readonly height: number };
  detect(image: RgbImage, opts?: DetectOptions): Promise<RawDetection[]>;
  close(): Promise<void>;
}

export interface DetectorFactory {
  readonly kind: string;
  create(entry: ModelEntry, modelFile: string, session: SessionOptions): Promise<Detector>;
}

/**
 * The last step every detector shares: drop faces under the minimum size, keep the model's box as `raw`, square
 * the box by its height (the landmark and attribute crops are defined on it) and pass the model's own points on.
 */
export function toRawDetections(
  found: ReadonlyArray<{ readonly box: Box; readonly score: number; readonly landmarks5?: readonly Point[] }>,
  minFaceSize = 0,
): RawDetection[] {
  return found
    .filter((d) => d.box.y2 - d.box.y1 >= minFaceSize)
    .map((d) => ({ raw: d.box, box: squareByHeight(d.box), score: d.score, ...(d.landmarks5 ? { landmarks5: d.landmarks5 } : {}) }));
}
