// What the pipeline asks of the face models. `loadFaceModels` (models/face-models.ts) builds it from a manifest.
import type { DetectedFace, FaceAttributes, RgbImage } from '../schemas/records.ts';
import type { AttributesConfig } from '../pipelines/embed/config.ts';

export interface FaceInImage {
  readonly image: RgbImage;
  readonly face: DetectedFace;
}

export interface FaceModels {
  /** id of the embedder, recorded with every vector */
  readonly embedderId: string;
  /**
   * Calls served at once: 1 in-process (sessions run on the calling thread, so overlapping calls gains nothing),
   * one per worker for the worker pool (models/worker/pool.ts).
   */
  readonly concurrency: number;
  /**
   * The size a detector that squeezes the whole frame (aspect not kept) feeds its network, e.g. 320×240 for
   * Ultra-Light; absent for detectors that letterbox. A decoder can make that image far more cheaply than a resize
   * of the RGB frame (pipelines/ingest/video-source.ts) and pass it to detect().
   */
  readonly detectorInput?: { readonly width: number; readonly height: number };
  /**
   * Faces in one image, score-sorted after NMS, each with 5 landmarks, pose estimate, sharpness, quality, appearance.
   * `detectorImage`, when given, is the same frame at `detectorInput` and spares resizing it.
   */
  detect(image: RgbImage, detectorImage?: RgbImage): Promise<DetectedFace[]>;
  /** One L2-normalised vector per face, computed in batches. */
  embed(faces: readonly FaceInImage[]): Promise<Float32Array[]>;
  /** The attribute heads switched on in `which`, one result per face. */
  attributes(faces: readonly FaceInImage[], which: AttributesConfig): Promise<FaceAttributes[]>;
  /** Releases the ONNX sessions. Safe to call twice. */
  close(): Promise<void>;
}
