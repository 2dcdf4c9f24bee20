// In-process records ⇄ the Avro records of each topic (schemas/avro). In process, pixels are raw RGB, vectors
// Float32Array and absent attributes absent; on the wire pixels are JPEG/PNG, vectors float32 bytes, absent = null.
// Only what a consumer needs crosses: detections carry the pixels around their faces, posts on `faces` their crop
// (and only there: embeddings and events leave it out, see EmbeddedPost).
import type * as Avro from '../../../schemas/generated/avro-types.ts';
import type {
  DetectedFace,
  EmbeddedPost,
  EpisodeChange,
  FaceAttributes,
  FaceEmbedding,
  FaceEvent,
  FacePost,
  Frame,
  FrameDetections,
  FrameInfo,
  ImageRegion,
  Point,
} from '../../../schemas/records.ts';
import { attributesOrNull } from '../../../schemas/records.ts';
import { copyRegion, cropRect } from '../../track/post-crop.ts';
import { float32ToBytes, float32View } from '../../../schemas/float32-bytes.ts';
import type { EncodedRecord } from '../../../schemas/serde/encoded-record.ts';
import type { Topic } from '../../../topologies/names.ts';
import type { KafkaConfig } from './config.ts';
import { decodeImage, EMPTY_IMAGE, encodeImage, sourceBytesOf, undecodedImage, type ImageFormat } from './image-codec.ts';

export interface WireOptions {
  readonly format: ImageFormat;
  /** false for a consumer that never reads pixels: images are passed through undecoded (image-codec.ts) */
  readonly decodePixels?: boolean;
  readonly jpegQuality: number;
  readonly cropJpegQuality: number;
  readonly frameMaxWidth: number;
}

/** How one topic's records become Avro values and back, and which key they are partitioned by. */
export interface TopicCodec<T> {
  /** what the key is: a camera id keeps a camera's records in one partition, in order; a scope spans cameras */
  readonly keyedBy: 'camera' | 'scope';
  key(record: T): string;
  toWire(record: T): Promise<unknown>;
  /** `encoded`: the value's Avro body when it is in our current schema (kept by a codec whose outputs hold the record) */
  fromWire(value: unknown, encoded?: EncodedRecord | null): Promise<T>;
}

const frameInfo = (f: FrameInfo): Avro.FrameInfo => ({ camera: f.camera, seq: f.seq, ts: f.ts, t_s: f.t_s, width: f.width, height: f.height, frameRef: f.frameRef ?? null });
function fromFrameInfo(f: Avro.FrameInfo): FrameInfo {
  const info: FrameInfo = { camera: f.camera, seq: f.seq, ts: f.ts, t_s: f.t_s, width: f.width, height: f.height };
  return f.frameRef === null ? info : { ...info, frameRef: f.frameRef };
}

const faceToWire = (f: DetectedFace): Avro.DetectedFace => ({ ...f, landmarks5: f.landmarks5.map((p) => [...p]), appearance: float32ToBytes(f.appearance) });
// fields listed rather than spread (`...f`): these run per record read, and a spread of a decoded record is slower
const faceFromWire = (f: Avro.DetectedFace): DetectedFace => ({
  box: f.box,
  score: f.score,
  landmarks5: f.landmarks5.map((p): Point => [p[0] ?? 0, p[1] ?? 0]),
  pose: f.pose,
  sharpness: f.sharpness,
  quality: f.quality,
  appearance: float32View(f.appearance),
});

async function regionToWire(r: ImageRegion, quality: number, format: ImageFormat): Promise<Avro.ImageRegion> {
  const { bytes, width, height } = await encodeImage(r.image, quality, Infinity, format);
  return { left: r.left, top: r.top, width, height, image: bytes };
}
async function regionFromWire(r: Avro.ImageRegion, decode: boolean): Promise<ImageRegion> {
  return { left: r.left, top: r.top, image: decode ? await decodeImage(r.image) : undecodedImage(r.image, r.width, r.height) };
}

/** The smallest region of `pixels` holding every face's post crop: all the tracker will cut from. */
function regionAroundFaces(pixels: ImageRegion, faces: readonly DetectedFace[]): ImageRegion | null {
  if (faces.length === 0) return null;
  // a frame that came encoded goes on as it came: a re-encoded crop of it would be a second, lossier generation
  if (sourceBytesOf(pixels.image)) return pixels;
  const rects = faces.map((f) => cropRect(pixels, f.box));
  const rect = {
    x1: Math.min(...rects.map((r) => r.x1)),
    y1: Math.min(...rects.map((r) => r.y1)),
    x2: Math.max(...rects.map((r) => r.x2)),
    y2: Math.max(...rects.map((r) => r.y2)),
  };
  const whole = rect.x1 === pixels.left && rect.y1 === pixels.top && rect.x2 === pixels.left + pixels.image.width && rect.y2 === pixels.top + pixels.image.height;
  // the whole frame is sent as it came (its JPEG is reused, no second compression)
  return whole ? pixels : copyRegion(pixels, rect);
}

function attributesFromWire(a: Avro.FaceAttributes): FaceAttributes {
  const out: Record<string, unknown> = {};
  // own keys only: a record avsc decoded inherits enumerable methods (clone, toBuffer…) that `for in` would copy
  for (const k of Object.keys(a)) if (a[k as keyof Avro.FaceAttributes] !== null) out[k] = a[k as keyof Avro.FaceAttributes];
  return out as FaceAttributes;
}

/** A post with its crop (topic faces); `withCrop` false: without (inside embeddings and events, see EmbeddedPost). */
async function postToWire(p: EmbeddedPost, quality: number, format: ImageFormat, withCrop: boolean): Promise<Avro.FacePost> {
  const crop = withCrop && p.crop ? await regionToWire(p.crop, quality, format) : null;
  return { ...p, frame: frameInfo(p.frame), face: faceToWire(p.face), crop, device: p.device ?? null };
}
function postFromWire(p: Avro.FacePost): EmbeddedPost {
  const post: EmbeddedPost = {
    camera: p.camera,
    trackId: p.trackId,
    postNo: p.postNo,
    postType: p.postType,
    frame: fromFrameInfo(p.frame),
    face: faceFromWire(p.face),
    trackFirstTs: p.trackFirstTs,
    trackLastTs: p.trackLastTs,
    trackFirstT: p.trackFirstT,
    trackLastT: p.trackLastT,
    trackFrames: p.trackFrames,
  };
  return p.device ? { ...post, device: p.device } : post;
}

async function embeddingToWire(e: FaceEmbedding, quality: number, format: ImageFormat): Promise<Avro.FaceEmbedding> {
  return { post: await postToWire(e.post, quality, format, false), modelId: e.modelId, vector: float32ToBytes(e.vector), attributes: attributesOrNull(e.attributes), fresh: e.fresh };
}
function embeddingFromWire(e: Avro.FaceEmbedding): FaceEmbedding {
  return { post: postFromWire(e.post), modelId: e.modelId, vector: float32View(e.vector), attributes: attributesFromWire(e.attributes), fresh: e.fresh };
}

/**
 * Embeddings read from Kafka with their Avro bodies: an event holding one of them is written with those bytes
 * instead of encoding the embedding again (an event is mostly its embedding). Keyed by the record object, so an
 * embedding a stage builds anew (a different object) is encoded from its values.
 */
const embeddingBodies = new WeakMap<FaceEmbedding, EncodedRecord>();

export function topicCodecs(opts: WireOptions) {
  const q = opts.cropJpegQuality;
  const { format } = opts;
  const decode = opts.decodePixels ?? true;
  const frames: TopicCodec<Frame> = {
    keyedBy: 'camera',
    key: (f) => f.camera,
    async toWire(f): Promise<Avro.Frame> {
      const { bytes, width, height } = await encodeImage(f.image, opts.jpegQuality, opts.frameMaxWidth, format);
      const detectorImage = f.detectorImage ? await regionToWire({ left: 0, top: 0, image: f.detectorImage }, opts.jpegQuality, format) : null;
      return { camera: f.camera, seq: f.seq, ts: f.ts, t_s: f.t_s, width, height, frameRef: f.frameRef ?? null, image: bytes, detectorImage };
    },
    async fromWire(value) {
      const { image, frameRef, detectorImage, ...info } = value as Avro.Frame;
      return {
        ...info,
        image: decode ? await decodeImage(image) : undecodedImage(image, info.width, info.height),
        ...(frameRef === null ? {} : { frameRef }),
        ...(detectorImage === null ? {} : { detectorImage: (await regionFromWire(detectorImage, decode)).image }),
      };
    },
  };
  const detections: TopicCodec<FrameDetections> = {
    keyedBy: 'camera',
    key: (d) => d.frame.camera,
    async toWire(d): Promise<Avro.FrameDetections> {
      const region = regionAroundFaces(d.pixels, d.faces);
      return { frame: frameInfo(d.frame), faces: d.faces.map(faceToWire), pixels: region ? await regionToWire(region, q, format) : null };
    },
    async fromWire(value) {
      const d = value as Avro.FrameDetections;
      return {
        frame: fromFrameInfo(d.frame),
        faces: d.faces.map(faceFromWire),
        pixels: d.pixels ? await regionFromWire(d.pixels, decode) : { left: 0, top: 0, image: EMPTY_IMAGE },
      };
    },
  };
  const faces: TopicCodec<FacePost> = {
    keyedBy: 'camera',
    key: (p) => p.camera,
    toWire: (p) => postToWire(p, q, format, true),
    async fromWire(value) {
      const p = value as Avro.FacePost;
      if (p.crop === null) throw Object.assign(new Error(`face post ${p.camera}/${p.trackId}#${p.postNo} has no crop: nothing to embed`), { retryable: false });
      return { ...postFromWire(p), crop: await regionFromWire(p.crop, decode) };
    },
  };
  const embeddings: TopicCodec<FaceEmbedding> = {
    keyedBy: 'camera',
    key: (e) => e.post.camera,
    toWire: (e) => embeddingToWire(e, q, format),
    async fromWire(v, encoded) {
      const e = embeddingFromWire(v as Avro.FaceEmbedding);
      if (encoded) embeddingBodies.set(e, encoded.detached());
      return e;
    },
  };
  const matches: TopicCodec<FaceEvent> = {
    keyedBy: 'camera',
    key: (e) => e.embedding.post.camera,
    async toWire(e): Promise<Omit<Avro.FaceEvent, 'embedding'> & { embedding: Avro.FaceEmbedding | EncodedRecord }> {
      return { ...e, embedding: embeddingBodies.get(e.embedding) ?? (await embeddingToWire(e.embedding, q, format)), candidates: [...e.candidates] };
    },
    async fromWire(value) {
      const e = value as Avro.FaceEvent;
      return { ...e, embedding: embeddingFromWire(e.embedding) };
    },
  };
  const episodes: TopicCodec<EpisodeChange> = {
    keyedBy: 'scope',
    key: (c) => c.scope,
    toWire: async (c): Promise<Avro.EpisodeChange> => ({ ...c, cameras: [...c.cameras] }),
    fromWire: async (v) => v as Avro.EpisodeChange,
  };
  // counter records are the same in process and on the wire (pipelines/counters)
  const counters: TopicCodec<Avro.CounterRecord> = {
    keyedBy: 'camera',
    key: (r) => r.camera,
    toWire: async (r) => r,
    fromWire: async (v) => v as Avro.CounterRecord,
  };
  return { frames, detections, faces, embeddings, matches, episodes, counters } satisfies Record<Topic, TopicCodec<unknown>>;
}
export type TopicCodecs = ReturnType<typeof topicCodecs>;

/** The wire options of a deployment's Kafka configuration. */
export function wireOptionsOf(kafka: KafkaConfig): WireOptions {
  return { format: kafka.image_format, jpegQuality: kafka.jpeg_quality, cropJpegQuality: kafka.crop_jpeg_quality, frameMaxWidth: kafka.frame_max_width };
}

/**
 * A topic's codec for a consumer that reads pixels (decoded) or does not (images passed through undecoded);
 * producing is the same either way.
 */
export function codecsFor(opts: WireOptions): (topic: Topic, readsPixels?: boolean) => TopicCodec<unknown> {
  const decoded = topicCodecs(opts);
  const undecoded = topicCodecs({ ...opts, decodePixels: false });
  return (topic, readsPixels = true) => (readsPixels ? decoded : undecoded)[topic] as TopicCodec<unknown>;
}
