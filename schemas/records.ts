// The records that flow between stages. These are the in-process shapes; the Kafka-dataflow work gives each
// topic an Avro schema in this folder and derives the wire types from it (DESIGN.md §3).

/** Axis-aligned box in absolute pixels of the frame it was found in; x2/y2 exclusive. */
export interface Box {
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
}

export type Point = readonly [number, number];

/** Packed 8-bit RGB pixels, row stride = width × 3. */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** What identifies and places a frame, without its pixels: records after detection carry this. */
export interface FrameInfo {
  readonly camera: string;
  /** 0-based index among sampled frames of this camera; with `camera` it identifies the frame. */
  readonly seq: number;
  /** Wall-clock time of the frame, ms since the epoch (stream start + pts for files). */
  readonly ts: number;
  /** Seconds since the start of the stream, from the stream's own timestamps. */
  readonly t_s: number;
  /** size of the whole frame; boxes are in its pixels */
  readonly width: number;
  readonly height: number;
}

/** A sampled frame (topic `frames`). */
export interface Frame extends FrameInfo {
  /** the whole frame, width × height */
  readonly image: RgbImage;
  /**
   * In process only, never on the wire: the same frame squeezed by the decoder to the detector's whole-frame input
   * (FaceModels.detectorInput, 320×240 for Ultra-Light), which spares the detector resizing `image`.
   */
  readonly detectorImage?: RgbImage;
}

/**
 * Pixels of part of a frame, at the frame's scale: `image` starts at (`left`, `top`) of the frame. In process
 * it is often the whole frame (left = top = 0, no copy); across Kafka only the part around faces travels.
 */
export interface ImageRegion {
  readonly left: number;
  readonly top: number;
  readonly image: RgbImage;
}

export interface HeadPose {
  readonly yaw: number;
  readonly pitch: number;
  readonly roll: number;
}

/** One face as the detect stage sees it. */
export interface DetectedFace {
  readonly box: Box;
  /** detector confidence 0..1 */
  readonly score: number;
  /** eyes (left, right as seen in the image), nose tip, mouth corners (left, right) */
  readonly landmarks5: readonly Point[];
  readonly pose: HeadPose;
  /** variance of the Laplacian of the grey face crop, normalised to a 0..1 scale */
  readonly sharpness: number;
  /** FindFace scale: 0 best, -1 good, -2 satisfactory, -5 useless */
  readonly quality: number;
  /** cheap appearance descriptor (L2-normalised) that the tracker uses to tell nearby faces apart */
  readonly appearance: Float32Array;
}

/** Detections of one frame (topic `detections`). */
export interface FrameDetections {
  readonly frame: FrameInfo;
  readonly faces: readonly DetectedFace[];
  /** pixels covering every face of `faces` (the tracker crops best shots from them) */
  readonly pixels: ImageRegion;
}

export type PostType = 'realtime' | 'overall';

/** A track's best shot (topic `faces`), FindFace's "face post". */
export interface FacePost {
  readonly camera: string;
  readonly trackId: string;
  /** 1-based post number within the track */
  readonly postNo: number;
  readonly postType: PostType;
  readonly frame: FrameInfo;
  readonly face: DetectedFace;
  /** pixels around the face, wide enough for every crop the models take (see pipelines/track/post-crop.ts) */
  readonly crop: ImageRegion;
  readonly trackFirstTs: number;
  readonly trackLastTs: number;
  readonly trackFirstT: number;
  readonly trackLastT: number;
  /** frames the track was seen in up to this post */
  readonly trackFrames: number;
}

export interface ClassAttribute<Name extends string = string> {
  readonly name: Name;
  readonly confidence: number;
}

/** FindFace "features"; a head switched off or unavailable is absent. */
export interface FaceAttributes {
  readonly gender?: ClassAttribute<'male' | 'female'>;
  /** years; see docs/MODELS.md for its measured accuracy before trusting it */
  readonly age?: number;
  readonly emotions?: ClassAttribute<'angry' | 'disgust' | 'fear' | 'happy' | 'sad' | 'surprise' | 'neutral'>;
  readonly eyes?: ClassAttribute<'open' | 'closed'>;
  readonly liveness?: ClassAttribute<'real' | 'fake'>;
  readonly headpose?: HeadPose;
}

/** A face post with its vector and attributes (topic `embeddings`). */
export interface FaceEmbedding {
  readonly post: FacePost;
  readonly modelId: string;
  /** L2-normalised */
  readonly vector: Float32Array;
  readonly attributes: FaceAttributes;
  /** false when the vector was reused from an earlier post of the same track (adaptive re-embedding) */
  readonly fresh: boolean;
}

export interface MatchCandidate {
  readonly dossier: string;
  readonly dossierFace: string;
  readonly watchList: string;
  readonly confidence: number;
}

/** A face event (topic `matches`): FindFace's event. */
export interface FaceEvent {
  /** deterministic: hash of camera, track id and post number */
  readonly id: string;
  readonly embedding: FaceEmbedding;
  /** best candidate first */
  readonly candidates: readonly MatchCandidate[];
  readonly matched: boolean;
  readonly dossier: string | null;
  readonly confidence: number;
}

export type EpisodeChangeKind = 'open' | 'event' | 'close';

/** Episode lifecycle changes (topic `episodes`). */
export interface EpisodeChange {
  readonly kind: EpisodeChangeKind;
  readonly episodeId: string;
  readonly scope: string;
  readonly eventId: string | null;
  readonly bestEventId: string;
  readonly eventsCount: number;
  readonly dossier: string | null;
  readonly cameras: readonly string[];
  readonly startTs: number;
  readonly endTs: number;
  readonly startT: number;
  readonly endT: number;
}
