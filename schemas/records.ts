// The records that flow between stages, in process. Each is derived from the Avro record of its topic
// (schemas/avro/*.avsc → generated/avro-types.ts, the one source of truth for fields and their docs); only what
// is held differently in process is replaced here, each with why. pipelines/runtime/kafka/wire.ts converts.
import type * as Avro from './generated/avro-types.ts';

export type Box = Avro.Box;
export type HeadPose = Avro.HeadPose;
export type PostType = Avro.PostType;
export type MatchCandidate = Avro.MatchCandidate;
export type EpisodeChangeKind = Avro.EpisodeChangeKind;
export type EpisodeChange = Avro.EpisodeChange;

/** [x, y] in frame pixels; on the wire a plain number[] */
export type Point = readonly [number, number];

/** Packed 8-bit RGB pixels, row stride = width × 3. In process only: on the wire pixels travel as JPEG/PNG bytes. */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** What identifies and places a frame, without its pixels: records after detection carry this. */
export interface FrameInfo extends Omit<Avro.FrameInfo, 'frameRef'> {
  /** absent rather than null when the frame was not stored */
  readonly frameRef?: string;
}

/** A sampled frame (topic `frames`). */
export interface Frame extends Omit<Avro.Frame, 'frameRef' | 'image' | 'detectorImage'>, Pick<FrameInfo, 'frameRef'> {
  /** the frame decoded, width × height (JPEG/PNG on the wire) */
  readonly image: RgbImage;
  /**
   * The same frame squeezed by the decoder to the detector's whole-frame input (FaceModels.detectorInput, 320×240
   * for Ultra-Light), which spares the detector resizing `image`; decoded here, encoded on the wire.
   */
  readonly detectorImage?: RgbImage;
}

/**
 * Pixels of part of a frame, at the frame's scale: `image` starts at (`left`, `top`) of the frame. In process
 * it is often the whole frame (left = top = 0, no copy); across Kafka only the part around faces travels.
 */
export interface ImageRegion extends Omit<Avro.ImageRegion, 'width' | 'height' | 'image'> {
  /** decoded; its own width and height are the region's (on the wire: JPEG/PNG bytes beside width and height) */
  readonly image: RgbImage;
}

/** One face as the detect stage sees it. */
export interface DetectedFace extends Omit<Avro.DetectedFace, 'landmarks5' | 'appearance'> {
  /** eyes (left, right as seen in the image), nose tip, mouth corners (left, right) as pairs, not number[][] */
  readonly landmarks5: readonly Point[];
  /** L2-normalised appearance descriptor as Float32Array, not bytes */
  readonly appearance: Float32Array;
}

/** Detections of one frame (topic `detections`). */
export interface FrameDetections extends Omit<Avro.FrameDetections, 'frame' | 'faces' | 'pixels'> {
  readonly frame: FrameInfo;
  readonly faces: readonly DetectedFace[];
  /** pixels covering every face of `faces`, always present in process (null on the wire when there are no faces) */
  readonly pixels: ImageRegion;
}

/** What an edge device said about a face it pushed (Avro: DeviceAttributes). */
export type DeviceAttributes = Avro.DeviceAttributes;

/** A track's best shot (topic `faces`), FindFace's "face post". */
export interface FacePost extends Omit<Avro.FacePost, 'frame' | 'face' | 'crop' | 'device'> {
  readonly frame: FrameInfo;
  readonly face: DetectedFace;
  /** present only on faces an edge device pushed; absent rather than null */
  readonly device?: DeviceAttributes;
  /** pixels around the face, wide enough for every crop the models take (see pipelines/track/post-crop.ts); always present on `faces` */
  readonly crop: ImageRegion;
}

/**
 * The post inside an embedding or event. Its crop is absent once the post has crossed Kafka after embed: the
 * crop travels once, on `faces` (records of 2–3 kB instead of 16 kB keep match and episodes fast); in process
 * it simply stays.
 */
export interface EmbeddedPost extends Omit<FacePost, 'crop'> {
  readonly crop?: ImageRegion;
}

/** FindFace "features"; a head switched off or unavailable is absent in process (null on the wire). */
export type FaceAttributes = { readonly [K in keyof Avro.FaceAttributes]?: NonNullable<Avro.FaceAttributes[K]> };

/** Every head named, null where absent: the shape on the wire, and in the API's answers. */
export const attributesOrNull = (a: FaceAttributes): Avro.FaceAttributes => ({
  gender: a.gender ?? null,
  age: a.age ?? null,
  emotions: a.emotions ?? null,
  eyes: a.eyes ?? null,
  liveness: a.liveness ?? null,
  headpose: a.headpose ?? null,
});

/** A face post with its vector and attributes (topic `embeddings`). */
export interface FaceEmbedding extends Omit<Avro.FaceEmbedding, 'post' | 'vector' | 'attributes'> {
  readonly post: EmbeddedPost;
  /** L2-normalised, as Float32Array rather than bytes */
  readonly vector: Float32Array;
  readonly attributes: FaceAttributes;
}

/** A face event (topic `matches`): FindFace's event. */
export interface FaceEvent extends Omit<Avro.FaceEvent, 'embedding'> {
  readonly embedding: FaceEmbedding;
}
