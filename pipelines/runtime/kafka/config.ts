// Configuration of the Kafka runtime: TypeBox schema, type derived. The broker list and the registry URL
// usually come from the environment (KAFKA_BROKERS, SCHEMA_REGISTRY_URL), which config/load.ts reads once.
import { Type, type Static } from '@sinclair/typebox';

const TopicSettings = Type.Object(
  {
    partitions: Type.Integer({ minimum: 1, description: 'partitions when facestream creates the topic (more partitions = more instances can share the work)' }),
    retention_ms: Type.Integer({ minimum: -1, description: 'retention.ms when facestream creates the topic; -1 = forever' }),
  },
  { additionalProperties: false },
);

export const KafkaConfig = Type.Object(
  {
    brokers: Type.Array(Type.String(), { default: [], description: 'bootstrap brokers host:port (env KAFKA_BROKERS, comma-separated)' }),
    client_id: Type.String({ default: 'facestream', description: 'Kafka client id prefix; the stage name is appended' }),
    topic_prefix: Type.String({ default: '', description: 'prefix of every topic and consumer group, so several deployments can share a cluster (env FACESTREAM_TOPIC_PREFIX)' }),
    schema_registry_url: Type.String({ default: '', description: 'Confluent-compatible schema registry (env SCHEMA_REGISTRY_URL); empty = the one `facestream up` serves' }),
    exactly_once: Type.Boolean({
      default: true,
      description: 'outputs, state and input offsets of a batch are committed in one Kafka transaction, so a killed stage neither loses nor repeats what downstream reads; false = at-least-once (cheaper, duplicates possible after a crash)',
    }),
    max_batch_records: Type.Integer({ default: 5000, minimum: 1, description: 'most input records one commit (transaction) covers' }),
    commit_interval_ms: Type.Integer({
      default: 100,
      minimum: 1,
      description:
        'a commit covers about this much processing, or four times what a commit takes when that is longer: the records per commit follow the measured time per record (≤ max_batch_records), so a cheap stage commits thousands of records at once and a model stage a few frames, keeping latency low (Kafka Streams commit.interval.ms)',
    }),
    fetch_max_bytes_per_partition: Type.Integer({
      default: 8 << 20,
      minimum: 1024,
      description: 'most bytes one fetch returns from a partition (kafkajs maxBytesPerPartition); large enough for thousands of records per commit',
    }),
    fetch_max_bytes: Type.Integer({
      default: 16 << 20,
      minimum: 1024,
      description:
        "most bytes one fetch returns in all (kafkajs maxBytes); under glibc's 32 MiB ceiling for malloc's own heap, so each response's buffer reuses freed memory instead of a new mapping whose first touches cost 3 times the copy",
    }),
    session_timeout_ms: Type.Integer({ default: 10_000, minimum: 1000, description: 'consumer session timeout; a dead instance’s partitions move after this long' }),
    max_retries: Type.Integer({ default: 5, minimum: 0, description: 'retries with exponential backoff of a transient failure (broker, registry) before the stage gives up and exits for its supervisor to restart it' }),
    metrics_port: Type.Integer({ default: 0, minimum: 0, maximum: 65535, description: 'port of the Prometheus /metrics endpoint of a stage process; 0 = a free port, logged at start' }),
    image_format: Type.Union([Type.Literal('jpeg'), Type.Literal('png')], {
      default: 'jpeg',
      description:
        'how frames and crops cross Kafka: jpeg (small; similarities move by up to ~0.1 on small faces, decisions measured unchanged) or png (lossless, several times larger; results equal the embedded topology exactly)',
    }),
    jpeg_quality: Type.Integer({ default: 90, minimum: 1, maximum: 100, description: 'quality of the JPEG frames that cross Kafka' }),
    crop_jpeg_quality: Type.Integer({
      default: 95,
      minimum: 1,
      maximum: 100,
      description: 'quality of the face crops that cross Kafka (small, and what the embedder sees: kept close to lossless)',
    }),
    frame_max_width: Type.Integer({ default: 1280, minimum: 64, description: 'frames wider than this are down-scaled before they go on the `frames` topic (keeps records far below the broker limit)' }),
    topics: Type.Object(
      {
        frames: TopicSettings,
        detections: TopicSettings,
        faces: TopicSettings,
        embeddings: TopicSettings,
        matches: TopicSettings,
        episodes: TopicSettings,
        counters: TopicSettings,
        'dead-letter': TopicSettings,
      },
      {
        additionalProperties: false,
        default: {
          frames: { partitions: 4, retention_ms: 3_600_000 },
          detections: { partitions: 4, retention_ms: 3_600_000 },
          faces: { partitions: 4, retention_ms: 86_400_000 },
          embeddings: { partitions: 4, retention_ms: 86_400_000 },
          matches: { partitions: 4, retention_ms: 604_800_000 },
          episodes: { partitions: 4, retention_ms: 604_800_000 },
          counters: { partitions: 4, retention_ms: 604_800_000 },
          'dead-letter': { partitions: 1, retention_ms: 2_592_000_000 },
        },
        description: 'partitions and retention of the topics facestream creates (existing topics are left as they are)',
      },
    ),
  },
  { additionalProperties: false },
);
export type KafkaConfig = Static<typeof KafkaConfig>;
