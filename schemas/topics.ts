// Every Kafka topic of facestream with its key and value schema (DESIGN.md §3), and the schema-registry subjects
// they are registered under: Confluent's TopicNameStrategy, `<topic>-key` and `<topic>-value`, where <topic> is the
// Kafka topic name including the configurable prefix. Persisted names, so they are written out here (STYLE.md §1).

/** Topic names without prefix. */
export const TOPIC_NAMES = [
  'frames',
  'detections',
  'faces',
  'embeddings',
  'matches',
  'episodes',
  'counters',
  'dossiers',
  'cameras',
  'camera-status',
  'dead-letter',
] as const;
export type TopicName = (typeof TOPIC_NAMES)[number];

/** Avro key schemas; a key is a plain Avro string except dead-letter's, the original key bytes or null. */
export type KeySchema = 'string' | readonly ['null', 'bytes'];

export interface TopicContract {
  readonly topic: TopicName;
  /** Avro schema of the record key */
  readonly keySchema: KeySchema;
  /** what the key holds */
  readonly keyDoc: string;
  /** name of the value's Avro record in schemas/avro (namespace facestream) */
  readonly valueType: string;
  /** compacted topic: the latest value per key is kept; a null value (tombstone) deletes the key */
  readonly compacted: boolean;
}

const contract = (
  topic: TopicName,
  valueType: string,
  keyDoc: string,
  opts: { readonly keySchema?: KeySchema; readonly compacted?: boolean } = {},
): TopicContract => ({ topic, keySchema: opts.keySchema ?? 'string', keyDoc, valueType, compacted: opts.compacted ?? false });

export const TOPIC_CONTRACTS: { readonly [T in TopicName]: TopicContract } = {
  frames: contract('frames', 'Frame', 'camera id'),
  detections: contract('detections', 'FrameDetections', 'camera id'),
  faces: contract('faces', 'FacePost', 'camera id'),
  embeddings: contract('embeddings', 'FaceEmbedding', 'camera id'),
  matches: contract('matches', 'FaceEvent', 'camera id'),
  episodes: contract('episodes', 'EpisodeChange', 'episode scope'),
  counters: contract('counters', 'CounterRecord', 'camera id'),
  dossiers: contract('dossiers', 'DossierFace', 'dossierFaceId', { compacted: true }),
  cameras: contract('cameras', 'CameraJob', 'cameraId', { compacted: true }),
  'camera-status': contract('camera-status', 'CameraStatus', 'cameraId'),
  'dead-letter': contract('dead-letter', 'DeadLetter', 'the original key bytes (null when it had none)', {
    keySchema: ['null', 'bytes'],
  }),
};

export function isTopicName(s: string): s is TopicName {
  return (TOPIC_NAMES as readonly string[]).includes(s);
}

/** The Kafka topic name: the prefix (e.g. `site1.`, possibly empty) followed by the topic name. */
export function kafkaTopic(topic: TopicName, prefix: string): string {
  return `${prefix}${topic}`;
}

export interface TopicSubjects {
  readonly topic: TopicName;
  /** Kafka topic name with the prefix */
  readonly kafkaTopic: string;
  /** `<kafkaTopic>-key` */
  readonly keySubject: string;
  /** `<kafkaTopic>-value` */
  readonly valueSubject: string;
}

/** Subjects of one topic under TopicNameStrategy. */
export function topicSubjects(topic: TopicName, prefix: string): TopicSubjects {
  const name = kafkaTopic(topic, prefix);
  return { topic, kafkaTopic: name, keySubject: `${name}-key`, valueSubject: `${name}-value` };
}

/** Subjects of every topic, in TOPIC_NAMES order. */
export function allTopicSubjects(prefix: string): readonly TopicSubjects[] {
  return TOPIC_NAMES.map((t) => topicSubjects(t, prefix));
}
