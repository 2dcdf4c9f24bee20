// Real records replayed at volume for the Kafka throughput bench: the detections and embeddings a distributed run
// over the shared clips left on Kafka (real detections, real face crops, real embeddings and attributes) are
// copied onto many cameras, so that a stage gets far more input than a few clips hold while every record stays a
// real one. Only identities and times change:
//
//   - cameras come in rounds of `concurrent` cameras; camera j of round r replays seed camera j mod S (S seed
//     cameras) under the name r<r>-c<j>, its records in their order, every track renamed after the camera, so
//     event ids and tracks are distinct;
//   - round r is shifted r × (seed span + gap) later in stream time, so a stage sees `concurrent` cameras live at
//     a time and each round ends (episodes close, look-back windows empty) before the next; within a round the
//     cameras' records interleave by time, as live cameras would arrive;
//   - each camera ends with an end-of-stream marker, as a file camera does.
import type { IHeaders, Kafka } from 'kafkajs';
import { endOfStreamHeaders } from '../pipelines/runtime/kafka/control.ts';
import { bySize, type OutgoingMessage } from '../pipelines/runtime/kafka/committer.ts';
import type { FaceEmbedding, FrameDetections } from '../schemas/generated/avro-types.ts';
import type { TopicSerde } from '../schemas/serde/topic-serde.ts';

export interface ReplayPlan {
  /** data records to produce */
  readonly records: number;
  /** cameras live at a time */
  readonly concurrent: number;
  /** stream time between the end of a round and the start of the next, ms (> the episodes look-back, 60 s) */
  readonly gapMs: number;
}

export interface ReplaySummary {
  readonly topic: string;
  readonly records: number;
  readonly markers: number;
  readonly cameras: number;
  readonly rounds: number;
  readonly seedRecords: number;
  readonly seedCameras: number;
  readonly bytes: number;
  readonly seconds: number;
}

interface Seed<T> {
  readonly camera: string;
  readonly ts: number;
  readonly value: T;
}

type Retime<T> = (value: T, camera: string, shiftMs: number) => T;

const retimeDetections: Retime<FrameDetections> = (d, camera, shift) => ({ ...d, frame: { ...d.frame, camera, ts: d.frame.ts + shift, t_s: d.frame.t_s + shift / 1000 } });

const retimeEmbedding: Retime<FaceEmbedding> = (e, camera, shift) => {
  const p = e.post;
  return {
    ...e,
    post: {
      ...p,
      camera,
      trackId: `${camera}/${p.trackId}`,
      frame: { ...p.frame, camera, ts: p.frame.ts + shift, t_s: p.frame.t_s + shift / 1000 },
      trackFirstTs: p.trackFirstTs + shift,
      trackLastTs: p.trackLastTs + shift,
      trackFirstT: p.trackFirstT + shift / 1000,
      trackLastT: p.trackLastT + shift / 1000,
    },
  };
};

/** The seeds (Avro values, decoded) in their order per camera. */
function seedsOf<T>(values: readonly T[], cameraOf: (v: T) => string, tsOf: (v: T) => number): Map<string, Seed<T>[]> {
  const byCamera = new Map<string, Seed<T>[]>();
  for (const value of values) {
    const camera = cameraOf(value);
    byCamera.set(camera, [...(byCamera.get(camera) ?? []), { camera, ts: tsOf(value), value }]);
  }
  return byCamera;
}

/** Produces the replay of `seeds` onto `topic` (which must exist), in order per partition, ≤ 900 kB a request. */
async function produce<T>(
  kafka: Kafka,
  serde: TopicSerde,
  wireTopic: 'detections' | 'embeddings',
  topic: string,
  seeds: Map<string, Seed<T>[]>,
  retime: Retime<T>,
  plan: ReplayPlan,
  log: (line: string) => void,
): Promise<ReplaySummary> {
  const cams = [...seeds.keys()].sort();
  const all = [...seeds.values()].flat();
  if (all.length === 0) throw new Error(`no ${wireTopic} to replay: the distributed run left none`);
  const t0 = Math.min(...all.map((s) => s.ts));
  const span = Math.max(...all.map((s) => s.ts)) - t0 + plan.gapMs;
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  const started = performance.now();
  let records = 0;
  let markers = 0;
  let cameras = 0;
  let rounds = 0;
  let bytes = 0;
  let pending: OutgoingMessage[] = [];
  let pendingBytes = 0;
  const flush = async () => {
    for (const run of bySize(pending)) {
      const topicMessages = [{ topic, messages: run.map((m) => ({ key: m.key, value: m.value, ...(m.headers ? { headers: m.headers as IHeaders } : {}) })) }];
      await producer.sendBatch({ topicMessages, acks: -1 });
    }
    pending = [];
    pendingBytes = 0;
  };
  try {
    while (records < plan.records) {
      const names = Array.from({ length: plan.concurrent }, (_, j) => ({ name: `r${rounds}-c${j}`, source: seeds.get(cams[j % cams.length]!)! }));
      const shift = rounds * span;
      const round = names
        .flatMap(({ name, source }) => source.map((s, i) => ({ name, s, i })))
        .sort((a, b) => a.s.ts - b.s.ts || (a.name < b.name ? -1 : a.name > b.name ? 1 : a.i - b.i));
      const used = new Set<string>();
      for (const { name, s } of round) {
        if (records >= plan.records) break;
        const key = serde.encodeKey(wireTopic, name);
        const value = serde.encodeValue(wireTopic, retime(s.value, name, shift) as never);
        pending.push({ topic, key, value });
        pendingBytes += key.length + value.length;
        bytes += key.length + value.length;
        used.add(name);
        records++;
        if (pendingBytes > 8 << 20) await flush();
      }
      for (const name of used) {
        pending.push({ topic, key: serde.encodeKey(wireTopic, name), value: null, headers: endOfStreamHeaders() });
        markers++;
      }
      cameras += used.size;
      rounds++;
      if (rounds % 20 === 0) log(`  ${records} records produced`);
    }
    await flush();
  } finally {
    await producer.disconnect();
  }
  return { topic, records, markers, cameras, rounds, seedRecords: all.length, seedCameras: cams.length, bytes, seconds: Math.round((performance.now() - started) / 100) / 10 };
}

export async function replayDetections(kafka: Kafka, serde: TopicSerde, topic: string, seeds: readonly FrameDetections[], plan: ReplayPlan, log: (line: string) => void): Promise<ReplaySummary> {
  const byCamera = seedsOf(seeds, (d) => d.frame.camera, (d) => d.frame.ts);
  return produce(kafka, serde, 'detections', topic, byCamera, retimeDetections, plan, log);
}

export async function replayEmbeddings(kafka: Kafka, serde: TopicSerde, topic: string, seeds: readonly FaceEmbedding[], plan: ReplayPlan, log: (line: string) => void): Promise<ReplaySummary> {
  const byCamera = seedsOf(seeds, (e) => e.post.camera, (e) => e.post.frame.ts);
  return produce(kafka, serde, 'embeddings', topic, byCamera, retimeEmbedding, plan, log);
}
