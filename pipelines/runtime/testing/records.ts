// Builders for the records stage tests feed in: small, valid and deterministic, with every field a test does
// not care about set to a neutral value.
import type { Box, DetectedFace, FaceEmbedding, FaceEvent, FacePost, Frame, FrameDetections, MatchCandidate } from '../../../schemas/records.ts';

const EMPTY_IMAGE = { width: 640, height: 480, data: new Uint8Array(0) };

/** Frame `seq` of `camera` at stream time `t` seconds; ts = `epochMs` + t × 1000. */
export function frameAt(camera: string, seq: number, t: number, epochMs = 1_700_000_000_000): Frame {
  return { camera, seq, t_s: t, ts: epochMs + Math.round(t * 1000), width: EMPTY_IMAGE.width, height: EMPTY_IMAGE.height, image: EMPTY_IMAGE };
}

/** A square box of side `size` with its top-left corner at (x, y). */
export function square(x: number, y: number, size = 40): Box {
  return { x1: x, y1: y, x2: x + size, y2: y + size };
}

/** L2-normalised copy of `values`. */
export function unit(values: readonly number[]): Float32Array {
  const norm = Math.sqrt(values.reduce((s, v) => s + v * v, 0));
  return Float32Array.from(values, (v) => (norm > 0 ? v / norm : 0));
}

/** Unit basis vector `i` of dimension `dim`: distinct basis vectors are orthogonal (similarity 0). */
export function basis(i: number, dim = 8): Float32Array {
  const v = new Float32Array(dim);
  v[i] = 1;
  return v;
}

export interface FaceOptions {
  readonly quality?: number;
  readonly appearance?: Float32Array;
  readonly score?: number;
}

export function faceAt(box: Box, options: FaceOptions = {}): DetectedFace {
  return {
    box,
    score: options.score ?? 0.9,
    landmarks5: [],
    pose: { yaw: 0, pitch: 0, roll: 0 },
    sharpness: 0.5,
    quality: options.quality ?? -0.5,
    appearance: options.appearance ?? new Float32Array(0),
  };
}

export function detections(frame: Frame, faces: readonly DetectedFace[]): FrameDetections {
  const { image, ...info } = frame;
  return { frame: info, faces, pixels: { left: 0, top: 0, image } };
}

export interface PostOptions {
  readonly camera?: string;
  readonly trackId?: string;
  readonly postNo?: number;
  readonly t?: number;
  readonly quality?: number;
  readonly trackFrames?: number;
}

export function facePost(options: PostOptions = {}): FacePost {
  const camera = options.camera ?? 'cam-1';
  const t = options.t ?? 0;
  const { image, ...frame } = frameAt(camera, Math.round(t * 10), t);
  return {
    camera,
    trackId: options.trackId ?? `${camera}-1`,
    postNo: options.postNo ?? 1,
    postType: 'realtime',
    frame,
    face: faceAt(square(100, 100, 80), { quality: options.quality ?? -0.5 }),
    crop: { left: 0, top: 0, image },
    trackFirstTs: frame.ts,
    trackLastTs: frame.ts,
    trackFirstT: t,
    trackLastT: t,
    trackFrames: options.trackFrames ?? 1,
  };
}

export function faceEmbedding(post: FacePost, vector: Float32Array, fresh = true): FaceEmbedding {
  return { post, modelId: 'test-model', vector, attributes: {}, fresh };
}

export interface EventOptions extends PostOptions {
  readonly id: string;
  readonly vector: Float32Array;
  readonly dossier?: string | null;
  readonly confidence?: number;
  readonly candidates?: readonly MatchCandidate[];
  readonly alert?: boolean;
}

export function faceEvent(options: EventOptions): FaceEvent {
  const dossier = options.dossier ?? null;
  return {
    id: options.id,
    embedding: faceEmbedding(facePost(options), options.vector),
    candidates: options.candidates ?? [],
    matched: dossier !== null,
    dossier,
    confidence: options.confidence ?? 0,
    alert: options.alert ?? false,
  };
}
