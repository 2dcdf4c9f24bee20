// Realistic keys and values of every topic, for tests and examples. Floats are float32-exact (Math.fround), so a
// round trip through Avro `float` gives back the same numbers.
import { float32ToBytes } from '../float32-bytes.ts';
import type {
  DetectedFace,
  FaceEmbedding,
  FaceEvent,
  FacePost,
  FrameInfo,
  ImageRegion,
  TopicKeys,
  TopicValues,
} from '../generated/avro-types.ts';

const f = Math.fround;

/** a few bytes that start and end like a JPEG */
function jpeg(size: number, seed: number): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = (i * 31 + seed * 17) & 0xff;
  b.set([0xff, 0xd8, 0xff, 0xe0], 0);
  b.set([0xff, 0xd9], size - 2);
  return b;
}

/** deterministic L2-normalised float32 vector, as its wire bytes */
function unitVector(dim: number, seed: number): Buffer {
  const v = Array.from({ length: dim }, (_, i) => Math.sin(i * 0.37 + seed));
  const norm = Math.hypot(...v);
  return float32ToBytes(Float32Array.from(v, (x) => x / norm));
}

const TS = 1_714_060_800_123; // 2024-04-25T16:00:00.123Z

const frameInfo: FrameInfo = {
  camera: 'entrance-1',
  seq: 4821,
  ts: TS,
  t_s: 192.84,
  width: 1920,
  height: 1080,
  frameRef: 'frames/entrance-1/2024-04-25/004821.jpg',
};

const face: DetectedFace = {
  box: { x1: f(812.5), y1: f(301.25), x2: f(948.75), y2: f(472) },
  score: f(0.9871),
  landmarks5: [
    [f(851.5), f(371.25)],
    [f(906.25), f(369.5)],
    [f(879), f(405.75)],
    [f(857.25), f(436)],
    [f(901.5), f(434.5)],
  ],
  pose: { yaw: f(-7.5), pitch: f(4.25), roll: f(1.125) },
  sharpness: f(0.6125),
  quality: f(-0.75),
  appearance: unitVector(64, 1),
};

const crop: ImageRegion = { left: 760, top: 250, width: 240, height: 272, image: jpeg(9_000, 2) };

const post: FacePost = {
  camera: 'entrance-1',
  trackId: 'entrance-1:t-0193',
  postNo: 2,
  postType: 'realtime',
  frame: frameInfo,
  face,
  crop,
  trackFirstTs: TS - 2_400,
  trackLastTs: TS,
  trackFirstT: 190.44,
  trackLastT: 192.84,
  trackFrames: 13,
  device: null,
};

const embedding: FaceEmbedding = {
  // the crop travels on faces only (see FacePost.crop)
  post: { ...post, crop: null },
  modelId: 'arcface-r100-v1',
  vector: unitVector(512, 3),
  attributes: {
    gender: { name: 'female', confidence: f(0.97) },
    age: f(34.5),
    emotions: { name: 'neutral', confidence: f(0.81) },
    eyes: { name: 'open', confidence: f(0.99) },
    liveness: null,
    headpose: { yaw: f(-6.75), pitch: f(3.5), roll: f(1) },
  },
  fresh: true,
};

const event: FaceEvent = {
  id: 'ev-5f1c2a9e0b7d4c31',
  embedding,
  candidates: [
    { dossier: 'd-1042', dossierFace: 'df-1042-1', watchList: 'staff', watchLists: ['staff', 'vip'], matchedWatchLists: ['staff'], confidence: f(0.83) },
    { dossier: 'd-0077', dossierFace: 'df-0077-3', watchList: 'visitors', watchLists: ['visitors'], matchedWatchLists: [], confidence: f(0.41) },
  ],
  matched: true,
  dossier: 'd-1042',
  confidence: f(0.83),
  alert: true,
};

export const SAMPLE_VALUES: TopicValues = {
  frames: { ...frameInfo, width: 1280, height: 720, image: jpeg(120_000, 1), detectorImage: { left: 0, top: 0, width: 320, height: 240, image: jpeg(12_000, 4) } },
  detections: { frame: frameInfo, faces: [face], pixels: { left: 700, top: 200, width: 360, height: 360, image: jpeg(30_000, 3) } },
  faces: post,
  embeddings: embedding,
  matches: event,
  episodes: {
    kind: 'event',
    episodeId: 'ep-entrance-1-0042',
    scope: 'default',
    eventId: event.id,
    duplicateOf: null,
    bestEventId: event.id,
    eventsCount: 3,
    dossier: 'd-1042',
    cameras: ['entrance-1', 'hall-2'],
    startTs: TS - 15_000,
    endTs: TS,
    startT: 177.84,
    endT: 192.84,
  },
  counters: {
    id: 'cr-lobby-count-entrance-1-2231',
    counter: 'lobby-count',
    counterName: 'Lobby',
    camera: 'entrance-1',
    cameraGroup: 'building-a',
    ts: TS,
    seq: 2231,
    frameRef: 'entrance-1/2231.jpg',
    frameWidth: 1280,
    frameHeight: 720,
    facesCount: 2,
    facesBbox: [{ x1: 700, y1: 200, x2: 812, y2: 330 }, { x1: 120, y1: 260, x2: 190, y2: 345 }],
  },
  dossiers: {
    dossierFaceId: 'df-1042-1',
    dossierId: 'd-1042',
    dossierName: 'Anna Petrova',
    watchLists: ['staff'],
    watchListRules: [{ id: 'staff', confidenceThreshold: 0.7, cameraGroups: ['lobby'] }],
    modelId: 'arcface-r100-v1',
    vector: unitVector(512, 7),
    quality: f(-0.25),
    photo: 'dossiers/d-1042/df-1042-1.jpg',
    updatedAt: TS - 86_400_000,
  },
  cameras: {
    cameraId: 'entrance-1',
    name: 'Entrance, north door',
    url: 'rtsp://10.0.4.21:554/stream1',
    enabled: true,
    version: 7,
    fps: 5,
    confidenceThreshold: 0.6,
    group: 'building-a',
    settings: { 'detect.min_face': '48', 'track.max_age_s': '2.5' },
    restarts: 1,
  },
  'camera-status': {
    cameraId: 'entrance-1',
    ts: TS,
    status: 'red',
    state: 'retrying',
    since: TS - 12_000,
    processingFps: 0,
    framesProcessed: 18_240,
    framesDropped: 3,
    framesImotionSkipped: 40_112,
    facesPosted: 512,
    facesFailed: 1,
    decodingSoftErrors: 7,
    jobStarts: 4,
    lastError: 'rtsp://10.0.4.21:554/stream1: the camera hung up after 18240 frames [ended_early]',
    worker: 'serve',
  },
  'dead-letter': {
    key: Buffer.from([0, 0, 0, 0, 1, 20, 101, 110, 116, 114, 97, 110, 99, 101, 45, 49]),
    value: Buffer.from([0, 0, 0, 0, 9, 0xde, 0xad]),
    error: 'embeddings value: Avro body of 2 bytes ends before the value does (schema 9) [truncated_body]',
    errorKind: 'decode',
    stage: 'match',
    sourceTopic: 'embeddings',
    sourcePartition: 3,
    sourceOffset: 1_204_331,
    ts: TS + 5,
  },
};

export const SAMPLE_KEYS: TopicKeys = {
  frames: 'entrance-1',
  detections: 'entrance-1',
  faces: 'entrance-1',
  embeddings: 'entrance-1',
  matches: 'entrance-1',
  episodes: 'default',
  counters: 'entrance-1',
  dossiers: 'df-1042-1',
  cameras: 'entrance-1',
  'camera-status': 'entrance-1',
  'dead-letter': Buffer.from('entrance-1'),
};
