// Clips where cameras run as Kafka ingest processes (an ingest worker's camera child, or `stage ingest --camera
// --source`): the packets and the frames' times are this process's own (the packet tap and a tap on `frames`); the
// episode changes are made elsewhere (the episodes stage) and read from the `episodes` topic, from its end, in a
// consumer group of this process's own (every partition), keeping those that name this camera. A file camera's
// process goes on following after its file ended, until the episodes stage passed the camera's end of stream on
// (its episodes are closed) or `clips.pipeline_lag` s went by without a change of the camera.
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { FacestreamConfig } from '../../config/schema.ts';
import { followCompactedTopic, type DossiersFollower } from '../../enrolment/watchlist-sync/kafka-follower.ts';
import type { Frame } from '../../schemas/records.ts';
import type { TopicSerde } from '../../schemas/serde/topic-serde.ts';
import type { StageDeps } from '../registry.ts';
import type { RecordTap } from '../runtime/inproc/run-graph.ts';
import { END_OF_STREAM } from '../runtime/kafka/control.ts';
import { kafkaNames } from '../runtime/kafka/names.ts';
import { dataTopicConfig, ensureTopics } from '../runtime/kafka/topics.ts';
import { clipRecorderFor } from './recorder.ts';

export interface KafkaClips {
  /** `deps` with the packet tap on the camera's ingest source */
  withPacketTap<D extends Pick<StageDeps, 'source'>>(deps: D): D;
  /** the process graph's taps: the camera's frames, for their times */
  readonly taps: { readonly frames: readonly RecordTap[] };
  /** The camera's source ended by itself: resolves once its episodes are over (see above) or `signal` aborts. */
  sourceEnded(signal: AbortSignal): Promise<void>;
  /** Leaves the topic, then finishes the clips still open. */
  stop(): Promise<void>;
}

export interface KafkaClipsOptions {
  readonly config: Readonly<FacestreamConfig>;
  readonly camera: string;
  readonly kafka: Kafka;
  /** registerAll() already done */
  readonly serde: TopicSerde;
  readonly logger: Logger;
  readonly registry?: Registry;
}

/** Starts following `episodes` for the camera's clips; null when clips are off (or there is no frame store). */
export async function followEpisodeClips(o: KafkaClipsOptions): Promise<KafkaClips | null> {
  const recorder = clipRecorderFor(o);
  if (!recorder) return null;
  const { camera, config, logger } = o;
  const names = kafkaNames(config.kafka.topic_prefix);
  /** the partitions the camera's end of stream came through, and when the camera's episodes last changed */
  const ended = new Set<number>();
  let lastChangeMs = Date.now();
  let follower: DossiersFollower;
  try {
    follower = await followCompactedTopic({
      kafka: o.kafka,
      serde: o.serde,
      topicPrefix: config.kafka.topic_prefix,
      logger,
      topic: 'episodes',
      from: 'end',
      // the episodes stage may start after this camera
      ensureTopic: (admin) => ensureTopics(admin, [dataTopicConfig(config.kafka, names, 'episodes')]).then(() => undefined),
      onChange: ({ key, value, partition, control }) => {
        if (value === null) {
          // passed on to every partition of `episodes` after the camera's closes there (runtime/kafka/control.ts)
          if (control === END_OF_STREAM && key === camera) ended.add(partition);
          return;
        }
        if (!value.cameras.includes(camera)) return;
        lastChangeMs = Date.now();
        recorder.onEpisode(value);
      },
    });
  } catch (err) {
    await recorder.close();
    throw err;
  }
  const { partitions } = await follower.ready;
  logger.info({ camera, partitions }, 'clips: following episodes');
  return {
    withPacketTap: (deps) => recorder.withPacketTap(deps),
    taps: { frames: [(f) => recorder.onFrame(f as Frame)] },
    sourceEnded(signal) {
      lastChangeMs = Date.now();
      const lagMs = config.clips.pipeline_lag * 1000;
      return new Promise<void>((resolve) => {
        const done = () => {
          clearInterval(timer);
          signal.removeEventListener('abort', done);
          resolve();
        };
        const timer = setInterval(() => {
          if (ended.size < partitions && Date.now() - lastChangeMs < lagMs) return;
          logger.info({ camera, endOfStream: ended.size >= partitions }, 'clips: the camera’s episodes are over');
          done();
        }, 250);
        if (signal.aborted) done();
        else signal.addEventListener('abort', done, { once: true });
      });
    },
    async stop() {
      await follower.stop();
      await recorder.close();
    },
  };
}
