// Runs one process of a topology whose edges include Kafka topics: creates the topics it touches, then runs
// each part planProcess() found — source graphs whose Kafka-bound topics leave through producer taps, and
// single stages consuming a Kafka topic — until they end or stop() is called.
import type { ITopicConfig, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import type { FacestreamConfig } from '../config/schema.ts';
import { STAGES, type StageDeps } from '../pipelines/registry.ts';
import type { Stage, Clock, Source } from '../pipelines/runtime/stage.ts';
import { DEAD_LETTER_TOPIC, kafkaNames } from '../pipelines/runtime/kafka/names.ts';
import type { WireSerde } from '../pipelines/runtime/kafka/serde-port.ts';
import { kafkaTaps } from '../pipelines/runtime/kafka/source-runner.ts';
import type { Tap } from '../pipelines/runtime/inproc/run-graph.ts';
import { KafkaStageRunner } from '../pipelines/runtime/kafka/stage-runner.ts';
import { dataTopicConfig, ensureTopics, stateTopicConfig } from '../pipelines/runtime/kafka/topics.ts';
import { codecsFor, wireOptionsOf } from '../pipelines/runtime/kafka/wire.ts';
import { buildGraph, type BuildOptions } from './build-inproc.ts';
import type { Topic } from './names.ts';
import { planProcess } from './plan.ts';
import type { TopologySpec } from './topology.ts';

export interface KafkaProcessOptions {
  readonly spec: TopologySpec;
  readonly process: string;
  /** this instance among those of the process ("0", "1", …), stable across restarts */
  readonly instance: string;
  readonly config: Readonly<FacestreamConfig>;
  readonly kafka: Kafka;
  readonly serde: WireSerde;
  readonly deps: StageDeps;
  readonly logger: Logger;
  readonly registry: Registry;
  readonly clock: Clock;
  /** observers of the source graph's topics beside its Kafka producers (a camera's clip recorder taps its frames) */
  readonly taps?: BuildOptions['taps'];
  /** a shell around the process's source (buildGraph's wrapSource) */
  readonly wrapSource?: (source: Source<unknown>) => Source<unknown>;
}

export interface RunningProcess {
  /** resolves when every part has ended (sources exhausted, or stopped); rejects on a fatal error */
  readonly done: Promise<void>;
  /** graceful: sources stop reading, consumers finish and commit their batch; safe to call twice */
  stop(): Promise<void>;
}

/** The Kafka topics a process reads or writes, plus the dead-letter topic. */
export function topicsOf(spec: TopologySpec, process: string): Array<Topic | typeof DEAD_LETTER_TOPIC> {
  const topics = new Set<Topic | typeof DEAD_LETTER_TOPIC>([DEAD_LETTER_TOPIC]);
  for (const part of planProcess(spec, process)) {
    if (part.kind === 'graph') part.kafkaOutputs.forEach((t) => topics.add(t));
    else {
      topics.add(part.input);
      if (part.output) topics.add(part.output);
    }
  }
  return [...topics];
}

async function createTopics(kafka: Kafka, topics: readonly ITopicConfig[], logger: Logger): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const created = await ensureTopics(admin, topics);
    if (created.length > 0) logger.info({ topics: created }, 'created topics');
  } finally {
    await admin.disconnect();
  }
}

/** Each topic's taps of `a`, then of `b`. */
function joinTaps(a: NonNullable<BuildOptions['taps']>, b: NonNullable<BuildOptions['taps']>): NonNullable<BuildOptions['taps']> {
  const joined = { ...a };
  for (const [topic, more] of Object.entries(b) as Array<[Topic, readonly Tap[]]>) joined[topic] = [...(joined[topic] ?? []), ...more];
  return joined;
}

export async function startKafkaProcess(opts: KafkaProcessOptions): Promise<RunningProcess> {
  const { spec, config, kafka, serde, logger } = opts;
  const names = kafkaNames(config.kafka.topic_prefix);
  // a stage that never reads pixels gets its input's images passed through undecoded
  const codecOf = codecsFor(wireOptionsOf(config.kafka));
  await createTopics(kafka, topicsOf(spec, opts.process).map((t) => dataTopicConfig(config.kafka, names, t)), logger);

  const stops: Array<() => Promise<void>> = [];
  const runs: Array<Promise<void>> = [];
  let stopping = false;
  let kafkaStages = 0;
  const parts = planProcess(spec, opts.process);
  // a source's graph (the viewtron receiver beside its embed) keeps the served registry
  const graphs = parts.filter((p) => p.kind === 'graph').length;
  for (const part of parts) {
    if (part.kind === 'kafka-stage') {
      // the runtime's metrics register their names once per registry, so a second consuming stage in one process
      // (the sink process: sink-events and sink-episodes) gets a registry of its own, not served (known limit)
      const registry = graphs === 0 && kafkaStages++ === 0 ? opts.registry : new Registry();
      const stage = STAGES[part.stage].build(opts.deps) as Stage<unknown, unknown>;
      if (stage.state) await createTopics(kafka, [stateTopicConfig(names, stage.name)], logger);
      const runner = new KafkaStageRunner({
        kafka,
        config: config.kafka,
        names,
        serde,
        stage,
        input: { topic: part.input, codec: codecOf(part.input, STAGES[part.stage].readsPixels) },
        output: part.output ? { topic: part.output, codec: codecOf(part.output) } : null,
        instance: opts.instance,
        logger,
        registry,
        clock: opts.clock,
      });
      stops.push(() => runner.stop());
      runs.push(runner.run());
      continue;
    }
    const taps = kafkaTaps(kafka, part.kafkaOutputs.map((t) => ({ topic: t, codec: codecOf(t) })), names, serde, logger);
    const { graph } = buildGraph(part.stages, { deps: opts.deps, taps: joinTaps(taps.taps, opts.taps ?? {}), logger, registry: opts.registry, clock: opts.clock, ...(opts.wrapSource ? { wrapSource: opts.wrapSource } : {}) });
    stops.push(async () => graph.drain());
    runs.push(
      (async () => {
        await taps.connect();
        try {
          await graph.run();
          // a source that ended by itself (a file finished) tells downstream; a stopped one will resume
          const camera = opts.deps.source?.camera;
          if (!stopping && camera !== undefined && part.stages.some((s) => STAGES[s].input === null)) await taps.endOfStream(camera);
        } finally {
          await taps.close();
        }
      })(),
    );
  }
  const done = Promise.all(runs).then(() => undefined);
  done.catch(() => Promise.all(stops.map((s) => s().catch(() => undefined))));
  return {
    done,
    async stop() {
      stopping = true;
      await Promise.all(stops.map((s) => s()));
    },
  };
}

