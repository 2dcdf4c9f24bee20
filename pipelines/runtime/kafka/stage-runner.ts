// Runs one stage over Kafka: its consumer group reads the input topic; each chunk of a partition's batch is
// decoded, processed and its outputs committed together with the input offsets (committer.ts). A record that
// does not decode or that the stage throws on goes to the dead-letter topic with the reason and its source
// coordinates; the stage goes on. Control records (control.ts) reach the stage as endOfStream / idle calls and are
// passed on downstream after what the stage emitted before them (an idle marker only by a stage without `idle`). Back-pressure is the consumer itself: the next
// batch is fetched only when this one is committed.
import type { Consumer, EachBatchPayload, IHeaders, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { DecodedRecord } from '../../../schemas/serde/topic-serde.ts';
import type { Topic } from '../../../topologies/names.ts';
import { createStageMetrics, type StageMetrics } from '../metrics.ts';
import { Mutex } from '../mutex.ts';
import type { CameraIdle, Clock, Stage, StageContext } from '../stage.ts';
import { CommitPace } from './commit-pace.ts';
import { atLeastOnceCommitter, transactionalCommitter, type Committer, type InputProgress, type OutgoingMessage } from './committer.ts';
import type { KafkaConfig } from './config.ts';
import { controlOf, END_OF_STREAM, endOfStreamHeaders, IDLE, idleOf, markerPartitions } from './control.ts';
import { deadLetterMessage, type DeadLetterInput } from './dead-letter.ts';
import { messageOf, verdictFor, withRetries, type FailureKind } from './errors.ts';
import { createKafkaMetrics, type KafkaMetrics } from './metrics.ts';
import { DEAD_LETTER_TOPIC, type KafkaNames } from './names.ts';
import { PRODUCER_DEFAULTS } from './producer-defaults.ts';
import type { WireSerde } from './serde-port.ts';
import { loadState, stateMessages } from './state-store.ts';
import type { TopicCodec } from './wire.ts';

export interface StageRunnerOptions {
  readonly kafka: Kafka;
  readonly config: KafkaConfig;
  readonly names: KafkaNames;
  readonly serde: WireSerde;
  readonly stage: Stage<unknown, unknown>;
  readonly input: { readonly topic: Topic; readonly codec: TopicCodec<unknown> };
  readonly output: { readonly topic: Topic; readonly codec: TopicCodec<unknown> } | null;
  /** stable per instance (e.g. "0", "1"): names its transactional id, so a restart fences its predecessor */
  readonly instance: string;
  readonly logger: Logger;
  readonly registry: Registry;
  readonly clock: Clock;
}

/** Partition batches in hand at once (more than any topic facestream creates has partitions). */
const PARTITIONS_AT_ONCE = 64;
/** fetch.min.bytes of a stage that gathers its input (Stage.gatherMs): more than it gets in that time, so the broker waits it out. */
const GATHER_MIN_BYTES = 4 * 1024 * 1024;
/** Records of a chunk decoded ahead of the one being handled (handleChunk). */
const DECODE_AHEAD = 8;

interface Pending {
  readonly message: KafkaMessage;
  readonly record: unknown;
}

export class KafkaStageRunner {
  private readonly consumer: Consumer;
  private readonly producer: Producer;
  private readonly committer: Committer;
  private readonly lock = new Mutex();
  private readonly metrics: StageMetrics;
  private readonly kafkaMetrics: KafkaMetrics;
  private readonly logger: Logger;
  private readonly group: string;
  private readonly inputTopic: string;
  /** outputs the stage forwarded since the last commit */
  private outbox: unknown[] = [];
  /** the input partition each state key last changed under, so its state goes back to that partition's owner */
  private readonly stateKeyPartition = new Map<string, number>();
  /** state restore after the latest (re)assignment; batches wait for it */
  private restoring: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  /** input records handled (processed or dead-lettered) by this instance */
  private consumed = 0;
  /** sizes the commits by the measured processing time per record */
  private readonly pace: CommitPace;
  /** when the broker last answered a fetch (even with nothing): the clock punctuation may trust */
  private lastFetchAt: number | undefined;
  /** partitions of the output topic, for control records that go to every partition */
  private outputPartitions = 1;
  private stopping: Promise<void> | undefined;
  private readonly failed: Promise<never>;
  private fail!: (err: unknown) => void;

  constructor(private readonly opts: StageRunnerOptions) {
    const { kafka, config, names, stage } = opts;
    this.group = names.group(stage.name);
    this.inputTopic = names.topic(opts.input.topic);
    this.logger = opts.logger.child({ stage: stage.name, instance: opts.instance });
    this.metrics = createStageMetrics(opts.registry);
    this.kafkaMetrics = createKafkaMetrics(opts.registry);
    this.consumer = kafka.consumer({
      groupId: this.group,
      sessionTimeout: config.session_timeout_ms,
      readUncommitted: false,
      allowAutoTopicCreation: false,
      maxBytesPerPartition: config.fetch_max_bytes_per_partition,
      maxBytes: config.fetch_max_bytes,
      ...(stage.gatherMs !== undefined ? { minBytes: GATHER_MIN_BYTES, maxWaitTimeInMs: stage.gatherMs } : {}),
    });
    this.producer = kafka.producer({
      ...PRODUCER_DEFAULTS,
      allowAutoTopicCreation: false,
      ...(config.exactly_once ? { transactionalId: names.transactionalId(stage.name, opts.instance), transactionTimeout: 60_000 } : {}),
    });
    // sends are sized per partition of the output topic (bySize); other topics' records are few
    const outputTopic = opts.output && names.topic(opts.output.topic);
    const partitionsOf = (topic: string) => (topic === outputTopic ? this.outputPartitions : undefined);
    this.committer = config.exactly_once
      ? transactionalCommitter(this.producer, partitionsOf)
      : atLeastOnceCommitter(this.producer, (p) => this.consumer.commitOffsets(p.topics.flatMap((t) => t.partitions.map((q) => ({ topic: t.topic, ...q })))), partitionsOf);
    this.pace = new CommitPace(config.commit_interval_ms, config.max_batch_records);
    this.failed = new Promise<never>((_, reject) => (this.fail = reject));
    this.failed.catch(() => undefined);
  }

  private context(): StageContext<unknown> {
    const name = this.opts.stage.name;
    return {
      stage: name,
      logger: this.logger,
      clock: this.opts.clock,
      count: (what, n = 1) => this.metrics.problems.inc({ stage: name, what }, n),
      forward: async (record) => {
        this.outbox.push(record);
      },
    };
  }

  /** Connects, joins the group and processes until stop() or a fatal error (which rejects). */
  async run(): Promise<void> {
    const { stage } = this.opts;
    const ctx = this.context();
    await this.producer.connect();
    await this.consumer.connect();
    if (this.opts.output) this.outputPartitions = await partitionCount(this.opts.kafka, this.opts.names.topic(this.opts.output.topic));
    await this.consumer.subscribe({ topic: this.inputTopic, fromBeginning: true });
    const { state } = stage;
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
      this.logger.info({ partitions: payload.memberAssignment[this.inputTopic] ?? [] }, 'partitions assigned');
    });
    this.consumer.on(this.consumer.events.FETCH, () => {
      this.lastFetchAt = this.opts.clock.now();
    });
    // kafkajs restarts its consumer after a retriable crash; one it gives up on must end the stage (its
    // supervisor restarts it) rather than leave a process that consumes nothing
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart) this.fail(payload.error);
    });
    if (state) {
      this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
        const owned = new Set(payload.memberAssignment[this.inputTopic] ?? []);
        this.restoring = this.lock.run(async () => state.restore(await loadState(this.opts.kafka, this.opts.names.stateTopic(stage.name), owned, this.logger)));
        this.restoring.catch((err) => this.fail(err));
      });
    }
    await stage.init?.(ctx);
    if (stage.punctuate && stage.punctuateEveryMs) {
      this.timer = setInterval(() => void this.lock.run(() => this.punctuate(ctx)).catch((err) => this.fail(err)), stage.punctuateEveryMs);
      this.timer.unref();
    }
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      // A fetch brings up to fetch_max_bytes_per_partition from each partition: taken one partition after the
      // other, 80 frames of one camera would be detected before the next camera's first. With the partitions'
      // batches in hand at once, their chunks take turns at the stage lock (first come, first served), so every
      // camera waits a few chunks at most.
      partitionsConsumedConcurrently: PARTITIONS_AT_ONCE,
      eachBatch: (payload) => this.eachBatch(payload, ctx).catch((err) => {
        this.fail(err);
        throw err;
      }),
    });
    this.logger.info({ group: this.group, input: this.inputTopic, exactlyOnce: this.opts.config.exactly_once }, 'stage consuming');
    await this.failed.catch((err: unknown) => {
      if (!(err instanceof StoppedSignal)) throw err;
    });
  }

  /** Graceful: the batch in hand is finished and committed, then the group is left. Safe to call twice. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      if (this.timer) clearInterval(this.timer);
      await this.consumer.stop().catch(() => undefined);
      await this.lock.run(() => undefined);
      await this.consumer.disconnect().catch(() => undefined);
      await this.producer.disconnect().catch(() => undefined);
      await this.opts.stage.close?.();
      this.logger.info({ records: this.consumed }, 'stage stopped');
      this.fail(new StoppedSignal());
    })();
    return this.stopping;
  }

  private async eachBatch(payload: EachBatchPayload, ctx: StageContext<unknown>): Promise<void> {
    const { batch, resolveOffset, heartbeat, isRunning, isStale } = payload;
    await this.restoring;
    for (let i = 0; i < batch.messages.length; ) {
      if (!isRunning() || isStale()) return;
      const chunk = batch.messages.slice(i, i + this.pace.next());
      i += chunk.length;
      await this.lock.run(() => this.handleChunk(batch.partition, chunk, ctx));
      resolveOffset(chunk[chunk.length - 1]!.offset);
      await heartbeat();
    }
    this.kafkaMetrics.consumerLag.set({ stage: this.opts.stage.name, topic: batch.topic, partition: String(batch.partition) }, Number(batch.offsetLag()));
  }

  private async handleChunk(partition: number, messages: readonly KafkaMessage[], ctx: StageContext<unknown>): Promise<void> {
    const started = performance.now();
    const name = this.opts.stage.name;
    const labels = { stage: name };
    const out: OutgoingMessage[] = [];
    /** cameras whose end-of-stream marker this chunk passes on */
    const ended: string[] = [];
    let pending: Pending[] = [];
    const flushPending = async () => {
      await this.processPending(pending, partition, ctx, out);
      pending = [];
    };
    // Records are decoded up to DECODE_AHEAD ahead of the one in hand: image decoding (sharp) runs on libuv's
    // threads, so a detect chunk's JPEGs decode side by side instead of one after the other, and a chunk of large
    // frames does not hold all its pixels at once.
    const decoded: Array<Promise<unknown> | undefined> = [];
    let next = 0; // the first record not yet given to decoding
    const decodeAhead = (from: number) => {
      for (const end = Math.min(messages.length, from + DECODE_AHEAD); next < end; next++) {
        if (isControl(messages[next]!)) continue;
        const record = this.decodeValue(messages[next]!.value).then(({ value, encoded }) => this.opts.input.codec.fromWire(value, encoded));
        record.catch(() => undefined); // awaited in order below; not an unhandled rejection meanwhile
        decoded[next] = record;
      }
    };
    for (let i = 0; i < messages.length; i++) {
      const message = messages[i]!;
      decodeAhead(i);
      const control = controlOf(message.headers);
      if (control === END_OF_STREAM) {
        await flushPending();
        const camera = String(await this.decode(message.key));
        await this.opts.stage.endOfStream?.(camera, ctx);
        out.push(...(await this.drainOutbox()));
        ended.push(camera);
        out.push(...this.passOn(message, endOfStreamHeaders()));
        continue;
      }
      if (control === IDLE) {
        await flushPending();
        const { stage } = this.opts;
        if (!stage.idle) {
          out.push(...this.passOn(message, message.headers ?? {}));
          continue;
        }
        let idle: CameraIdle;
        try {
          idle = idleOf(String(await this.decode(message.key)), message.headers);
        } catch (err) {
          if (verdictFor('decode', err) !== 'dead-letter') throw err;
          out.push(await this.deadLetter('decode', message, partition, err));
          continue;
        }
        await stage.idle(idle, ctx);
        out.push(...(await this.drainOutbox()));
        continue;
      }
      try {
        pending.push({ message, record: await decoded[i] });
      } catch (err) {
        if (verdictFor('decode', err) !== 'dead-letter') throw err;
        out.push(await this.deadLetter('decode', message, partition, err));
      }
    }
    await flushPending();
    out.push(...this.stateChanges((key) => {
      this.stateKeyPartition.set(key, partition);
      return partition;
    }));
    this.metrics.recordsIn.inc(labels, messages.length);
    this.consumed += messages.length;
    this.pace.observe(messages.length, performance.now() - started);
    const last = messages[messages.length - 1]!;
    const progress: InputProgress = { groupId: this.group, topics: [{ topic: this.inputTopic, partitions: [{ partition, offset: String(BigInt(last.offset) + 1n) }] }] };
    const endCommit = this.kafkaMetrics.commitSeconds.startTimer(labels);
    const commitStarted = performance.now();
    await withRetries(() => this.committer.commit(out, progress), this.opts.config.max_retries, (err, attempt, delayMs) =>
      this.logger.warn({ err: messageOf(err), attempt, delayMs }, 'commit failed; retrying'),
    );
    this.pace.observeCommit(performance.now() - commitStarted);
    endCommit();
    // after the commit: downstream can now read everything of these cameras (`up --until-done` waits for this line)
    for (const camera of ended) this.logger.info({ camera }, 'end of stream');
    const now = Date.now();
    for (const m of messages) this.kafkaMetrics.recordAgeSeconds.observe(labels, Math.max(0, now - Number(m.timestamp)) / 1000);
  }

  /** A control record on its way to the output topic: in the camera's partition, or every one (markerPartitions). */
  private passOn(message: KafkaMessage, headers: IHeaders): OutgoingMessage[] {
    const output = this.opts.output;
    if (!output) return [];
    const topic = this.opts.names.topic(output.topic);
    return markerPartitions(output.codec.keyedBy, this.outputPartitions).map((partition) => ({ topic, key: message.key, value: null, headers, ...(partition !== undefined ? { partition } : {}) }));
  }

  /** Processes in the stage's batch size; a failing batch is retried record by record, a failing record dead-lettered. */
  private async processPending(pending: readonly Pending[], partition: number, ctx: StageContext<unknown>, out: OutgoingMessage[]): Promise<void> {
    const { stage } = this.opts;
    const size = stage.maxBatch ?? 1;
    for (let i = 0; i < pending.length; i += size) {
      const part = pending.slice(i, i + size);
      const end = this.metrics.latency.startTimer({ stage: stage.name });
      try {
        await stage.process(part.map((p) => p.record), ctx);
      } catch (err) {
        this.outbox = [];
        if (part.length === 1) {
          if (verdictFor('process', err) !== 'dead-letter') throw err;
          out.push(await this.deadLetter('process', part[0]!.message, partition, err));
        } else {
          for (const p of part) await this.processPending([p], partition, ctx, out);
        }
        continue;
      } finally {
        end();
      }
      out.push(...(await this.drainOutbox()));
    }
  }

  private async drainOutbox(): Promise<OutgoingMessage[]> {
    const records = this.outbox;
    this.outbox = [];
    const output = this.opts.output;
    if (!output) return [];
    this.metrics.recordsOut.inc({ stage: this.opts.stage.name }, records.length);
    const topic = this.opts.names.topic(output.topic);
    return Promise.all(
      records.map(async (r) => ({
        topic,
        key: this.opts.serde.encodeKey(output.topic, output.codec.key(r)),
        value: this.opts.serde.encodeValue(output.topic, await output.codec.toWire(r)),
      })),
    );
  }

  /**
   * Punctuation's clock stops while the broker does not answer: a stage's wall-clock timeouts (episodes close after
   * episode_event_timeout) are about the cameras, and a broker outage or restart is not a camera going quiet. An idle but healthy input still advances
   * it: fetches come back empty every few seconds (long poll).
   */
  private async punctuate(ctx: StageContext<unknown>): Promise<void> {
    const now = this.opts.clock.now();
    await this.opts.stage.punctuate?.(Math.min(now, this.lastFetchAt ?? now), ctx);
    const out = [...(await this.drainOutbox()), ...this.stateChanges((key) => this.stateKeyPartition.get(key) ?? -1)];
    if (out.length > 0) await this.committer.commit(out);
  }

  private stateChanges(partitionOf: (key: string) => number): OutgoingMessage[] {
    const { state, name } = this.opts.stage;
    return state ? stateMessages(state, this.opts.names.stateTopic(name), partitionOf) : [];
  }

  private decode(bytes: Buffer | null): Promise<unknown> {
    return this.withDecodeRetries(bytes, (b) => this.opts.serde.decode(b));
  }

  private decodeValue(bytes: Buffer | null): Promise<DecodedRecord> {
    return this.withDecodeRetries(bytes, (b) => this.opts.serde.decodeKeepingBody(b));
  }

  private withDecodeRetries<T>(bytes: Buffer | null, decode: (bytes: Buffer) => Promise<T>): Promise<T> {
    if (bytes === null) return Promise.reject(Object.assign(new Error('record has no value'), { retryable: false }));
    return withRetries(() => decode(bytes), this.opts.config.max_retries, this.onDecodeRetry);
  }

  private readonly onDecodeRetry = (err: unknown, attempt: number, delayMs: number) =>
    this.logger.warn({ err: messageOf(err), attempt, delayMs }, 'decode failed on a transient error; retrying');

  private async deadLetter(kind: FailureKind, message: KafkaMessage, partition: number, err: unknown): Promise<OutgoingMessage> {
    const name = this.opts.stage.name;
    this.kafkaMetrics.deadLetters.inc({ stage: name, kind });
    this.logger.warn({ kind, err: messageOf(err), partition, offset: message.offset }, 'record sent to the dead-letter topic');
    const letter: DeadLetterInput = { kind, stage: name, error: messageOf(err), sourceTopic: this.inputTopic, sourcePartition: partition, sourceOffset: message.offset, key: message.key, value: message.value };
    return deadLetterMessage(letter, this.opts.names.topic(DEAD_LETTER_TOPIC), this.opts.serde, this.opts.clock);
  }
}

/** A control record the runner acts on (not data to decode). */
function isControl(message: KafkaMessage): boolean {
  const control = controlOf(message.headers);
  return control === END_OF_STREAM || control === IDLE;
}

/** How stop() ends run(): not an error. */
export class StoppedSignal extends Error {
  constructor() {
    super('stopped');
    this.name = 'StoppedSignal';
  }
}

async function partitionCount(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    return topics[0]?.partitions.length ?? 1;
  } finally {
    await admin.disconnect();
  }
}
