// The in-process runtime: one bounded queue per consuming stage, a loop per stage, fan-out by topic.
// Order is kept per topic (one consumer loop per stage), so per-camera order holds. End of input flows
// downstream: a finished source ends its queues; a stage drains, flushes, then ends its own outputs. A source's
// CameraIdle travels through the same queues, in order with the records, to the first stage with an `idle` hook.
// A source can also send a barrier (SourceContext.passedDownstream) that every stage passes on after what it made of
// the records before it, to tell when those have gone through the whole graph (a file camera is `finished` then).
// A graph that serves cameras (`facestream serve`) names its `openTopics`: sources are added to them and stopped one
// by one while it runs (addSource), and they end only once the graph drains and their last source has ended.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { BoundedQueue, QueueClosedError } from '../bounded-queue.ts';
import { createStageMetrics, type StageMetrics } from '../metrics.ts';
import { Mutex } from '../mutex.ts';
import type { CameraIdle, Clock, Source, SourceContext, Stage, StageContext } from '../stage.ts';

export interface SourceNode {
  readonly source: Source<unknown>;
  readonly output: string;
}

export interface StageNode {
  readonly stage: Stage<unknown, unknown>;
  readonly input: string;
  readonly output?: string;
}

/** Observers of a topic (report collectors, printers); called in order for every record on it. */
export type RecordTap = (record: unknown) => void | Promise<void>;
/** A tap that also sees the topic's idle markers, in order with its records (a Kafka producer passes them on). */
export interface MarkerTap {
  readonly record: RecordTap;
  idle(idle: CameraIdle): Promise<void>;
}
export type Tap = RecordTap | MarkerTap;

/** A CameraIdle in a queue, told apart from the records around it. */
class IdleMarker {
  constructor(readonly idle: CameraIdle) {}
}

/** Follows a source's records down every path of the graph (topics fan out); passed once it has reached every end. */
class Barrier {
  private paths = 1;
  private resolve!: () => void;
  readonly passed = new Promise<void>((resolve) => (this.resolve = resolve));

  /** it goes on down `n` paths (the consumers of a topic) instead of one */
  split(n: number): void {
    this.paths += n - 1;
    if (this.paths === 0) this.resolve();
  }

  /** one path has ended (a stage without output, a topic nobody reads, a closed queue) */
  arrive(): void {
    if (--this.paths === 0) this.resolve();
  }

  /** the graph stopped: what it waited for will not come */
  release(): void {
    this.resolve();
  }
}

type Marker = IdleMarker | Barrier;
const isMarker = (item: unknown): item is Marker => item instanceof IdleMarker || item instanceof Barrier;

export interface DeadLetter {
  readonly stage: string;
  readonly reason: string;
  readonly record: unknown;
}

export interface GraphOptions {
  readonly sources: readonly SourceNode[];
  readonly stages: readonly StageNode[];
  readonly taps?: Readonly<Record<string, readonly Tap[]>>;
  readonly queueCapacity: number;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly registry: Registry;
  /** Graceful stop: sources stop reading, what is in flight drains through every stage, stages flush. */
  readonly signal?: AbortSignal;
  /** A record a stage failed on; the stage goes on with the next. */
  readonly onDeadLetter?: (letter: DeadLetter) => void;
  /** topics that sources added while the graph runs write to (addSource); they stay open until drain() */
  readonly openTopics?: readonly string[];
}

/** A source added to a running graph. */
export interface AddedSource {
  /** Stops this source alone (checked between its records); what it read still flows on. Safe to call twice. */
  stop(): void;
  /** Settles when the source has ended and closed: rejects with its error (the graph goes on). */
  readonly done: Promise<void>;
}

interface Outlet {
  readonly queues: BoundedQueue<unknown>[];
  readonly taps: readonly Tap[];
}

export class InProcessGraph {
  private readonly metrics: StageMetrics;
  private readonly outlets = new Map<string, Outlet>();
  private readonly inputs = new Map<Stage<unknown, unknown>, BoundedQueue<unknown>>();
  /** hard stop: queues dropped, no flush */
  private readonly abort = new AbortController();
  /** graceful stop: sources end, the rest drains */
  private readonly sourcesAbort = new AbortController();
  /** sources running and stages not yet ended, per topic: a topic ends after its last one (open topics: and only once draining) */
  private readonly producers = new Map<string, number>();
  /** barriers on their way, released by a hard stop (their queues are dropped) */
  private readonly barriers = new Set<Barrier>();

  constructor(private readonly opts: GraphOptions) {
    this.metrics = createStageMetrics(opts.registry);
    const topics = new Set([
      ...opts.sources.map((s) => s.output),
      ...(opts.openTopics ?? []),
      ...opts.stages.flatMap((s) => (s.output ? [s.output] : [])),
    ]);
    for (const topic of topics) this.outlets.set(topic, { queues: [], taps: opts.taps?.[topic] ?? [] });
    for (const node of opts.stages) {
      const outlet = this.outlets.get(node.input);
      if (!outlet) throw new Error(`stage ${node.stage.name} reads topic "${node.input}", which nothing produces`);
      const queue = new BoundedQueue<unknown>(opts.queueCapacity);
      outlet.queues.push(queue);
      this.inputs.set(node.stage, queue);
      // a topic a stage and a source both produce (serve: track's faces and the Viewtron receiver's) ends after both
      if (node.output) this.producers.set(node.output, (this.producers.get(node.output) ?? 0) + 1);
    }
    opts.signal?.addEventListener('abort', () => this.drain(), { once: true });
  }

  /** Ends the sources; records already read still flow through and every stage flushes. Safe to call twice. */
  drain(): void {
    if (this.sourcesAbort.signal.aborted) return;
    this.sourcesAbort.abort();
    for (const topic of this.opts.openTopics ?? []) if (!this.producers.get(topic)) this.endOutput(topic);
  }

  /** Starts `node` in the running graph (its output must be one of `openTopics`); refused once draining. */
  addSource(node: SourceNode): AddedSource {
    if (!this.opts.openTopics?.includes(node.output)) throw new Error(`sources cannot be added to topic "${node.output}": it is not one of the graph's open topics`);
    if (this.sourcesAbort.signal.aborted) throw new Error('the graph is draining: no source can be added');
    const own = new AbortController();
    return { stop: () => own.abort(), done: this.runSource(node, AbortSignal.any([this.sourcesAbort.signal, own.signal])) };
  }

  /** Stops everything now; queued records are dropped and nothing is flushed. Safe to call twice. */
  stop(): void {
    this.drain();
    if (this.abort.signal.aborted) return;
    this.abort.abort();
    for (const q of this.inputs.values()) q.abort();
    for (const b of this.barriers) b.release();
  }

  /** Runs until every source has ended and every stage has drained and flushed (or stop()). */
  async run(): Promise<void> {
    const stageRuns = this.opts.stages.map((node) => this.runStage(node));
    const sourceRuns = this.opts.sources.map((node) => this.runSource(node, this.sourcesAbort.signal));
    const results = await Promise.allSettled([...sourceRuns, ...stageRuns]);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  private context<Out>(name: string, output: string | undefined): StageContext<Out> {
    const outlet = output ? this.outlets.get(output) : undefined;
    const { metrics } = this;
    return {
      stage: name,
      logger: this.opts.logger.child({ stage: name }),
      clock: this.opts.clock,
      count: (what, n = 1) => metrics.problems.inc({ stage: name, what }, n),
      forward: async (record: Out) => {
        if (!outlet) throw new Error(`stage ${name} has no output topic`);
        metrics.recordsOut.inc({ stage: name });
        for (const tap of outlet.taps) await (typeof tap === 'function' ? tap(record) : tap.record(record));
        await pushAll(outlet, record);
      },
    };
  }

  /** Passes a marker on to `output`'s consumers' queues (an idle one also to the taps that want it). */
  private async passOn(output: string | undefined, marker: Marker): Promise<void> {
    const outlet = output ? this.outlets.get(output) : undefined;
    if (marker instanceof Barrier) {
      const queues = outlet?.queues ?? [];
      if (queues.length === 0) return marker.arrive();
      marker.split(queues.length);
      await Promise.all(queues.map((q) => q.push(marker).catch((err: unknown) => (err instanceof QueueClosedError ? marker.arrive() : Promise.reject(err)))));
      return;
    }
    if (!outlet) return;
    for (const tap of outlet.taps) if (typeof tap !== 'function') await tap.idle(marker.idle);
    await pushAll(outlet, marker);
  }

  /** A barrier behind what `output` has been given so far; resolves once it has passed every stage downstream. */
  private async barrier(output: string): Promise<void> {
    const barrier = new Barrier();
    this.barriers.add(barrier);
    if (this.abort.signal.aborted) barrier.release();
    else await this.passOn(output, barrier);
    await barrier.passed;
    this.barriers.delete(barrier);
  }

  private endOutput(output: string | undefined): void {
    if (output) for (const q of this.outlets.get(output)?.queues ?? []) q.end();
  }

  private async runSource(node: SourceNode, signal: AbortSignal): Promise<void> {
    const { output } = node;
    this.producers.set(output, (this.producers.get(output) ?? 0) + 1); // before the first await: run() counts all at once
    try {
      const ctx: SourceContext<unknown> = {
        ...this.context(node.source.name, output),
        idle: (idle) => this.passOn(output, new IdleMarker(idle)),
        passedDownstream: () => this.barrier(output),
      };
      await node.source.run(ctx, signal);
    } finally {
      await node.source.close?.();
      const left = this.producers.get(output)! - 1;
      this.producers.set(output, left);
      if (left === 0 && (!this.opts.openTopics?.includes(output) || this.sourcesAbort.signal.aborted)) this.endOutput(output);
    }
  }

  /** A stage producing `output` has ended: the topic ends with its last producer. */
  private stageEnded(output: string | undefined): void {
    if (!output) return;
    const left = this.producers.get(output)! - 1;
    this.producers.set(output, left);
    if (left === 0) this.endOutput(output);
  }

  private async runStage(node: StageNode): Promise<void> {
    const { stage } = node;
    const queue = this.inputs.get(stage)!;
    const ctx = this.context(stage.name, node.output);
    const lock = new Mutex();
    const labels = { stage: stage.name };
    let timer: NodeJS.Timeout | undefined;
    try {
      await stage.init?.(ctx);
      if (stage.punctuate && stage.punctuateEveryMs) {
        timer = setInterval(() => void lock.run(() => stage.punctuate!(this.opts.clock.now(), ctx)), stage.punctuateEveryMs);
        timer.unref();
      }
      // Batches in process at once, oldest first; each forwards its outputs after the one before it has.
      const inFlight: Promise<void>[] = [];
      const window = Math.max(1, stage.batchesInFlight ?? 1);
      for (;;) {
        const taken = await queue.take(stage.maxBatch ?? 1);
        if (!taken) break;
        this.metrics.queueDepth.set(labels, queue.size);
        for (const batch of segments(taken)) {
          if (Array.isArray(batch)) this.metrics.recordsIn.inc(labels, batch.length);
          const end = this.metrics.latency.startTimer(labels);
          if (window === 1) {
            await lock.run(async () => this.forwardAll(node, ctx, await this.outputsOf(node, batch, ctx)));
            end();
            continue;
          }
          const outputs = this.outputsOf(node, batch, ctx);
          const previous = inFlight.at(-1);
          inFlight.push(
            (async () => {
              const records = await outputs;
              await previous;
              await lock.run(() => this.forwardAll(node, ctx, records));
              end();
            })(),
          );
          if (inFlight.length >= window) await inFlight.shift();
        }
      }
      for (const batch of inFlight) await batch;
      if (!this.abort.signal.aborted) await lock.run(() => stage.flush?.(ctx));
    } catch (err) {
      // A stage that cannot go on would leave its producers waiting on a full queue: stop the graph.
      this.stop();
      throw err;
    } finally {
      if (timer) clearInterval(timer);
      await stage.close?.();
      this.stageEnded(node.output);
    }
  }

  /** What a batch of records, or a marker, sends on: the stage's outputs, or the marker itself (a barrier; idle: no idle hook). */
  private async outputsOf(node: StageNode, batch: unknown[] | Marker, ctx: StageContext<unknown>): Promise<unknown[]> {
    if (Array.isArray(batch)) return this.processOrDeadLetter(node, batch, ctx);
    const { stage } = node;
    if (batch instanceof Barrier || !stage.idle) return [batch];
    const outputs: unknown[] = [];
    await stage.idle(batch.idle, { ...ctx, forward: async (record) => void outputs.push(record) });
    return outputs;
  }

  /**
   * The outputs of a batch. What a call forwards is held until it returns, so a failing batch — retried record
   * by record so one poisonous record does not take its neighbours — sends nothing twice.
   */
  private async processOrDeadLetter(node: StageNode, batch: unknown[], ctx: StageContext<unknown>): Promise<unknown[]> {
    const attempt = async (records: unknown[]) => {
      const outputs: unknown[] = [];
      await node.stage.process(records, { ...ctx, forward: async (record) => void outputs.push(record) });
      return outputs;
    };
    try {
      return await attempt(batch);
    } catch (err) {
      if (batch.length === 1) {
        this.deadLetter(node, batch[0], err);
        return [];
      }
    }
    const outputs: unknown[] = [];
    for (const record of batch) {
      try {
        outputs.push(...(await attempt([record])));
      } catch (err) {
        this.deadLetter(node, record, err);
      }
    }
    return outputs;
  }

  private async forwardAll(node: StageNode, ctx: StageContext<unknown>, records: readonly unknown[]): Promise<void> {
    for (const record of records) await (isMarker(record) ? this.passOn(node.output, record) : ctx.forward(record));
  }

  private deadLetter(node: StageNode, record: unknown, err: unknown): void {
    const reason = err instanceof Error ? err.message : String(err);
    this.metrics.problems.inc({ stage: node.stage.name, what: 'dead_letter' });
    this.opts.logger.warn({ stage: node.stage.name, err: reason }, 'record failed; sent to dead letters');
    this.opts.onDeadLetter?.({ stage: node.stage.name, reason, record });
  }
}

async function pushAll(outlet: Outlet, item: unknown): Promise<void> {
  try {
    await Promise.all(outlet.queues.map((q) => q.push(item)));
  } catch (err) {
    if (!(err instanceof QueueClosedError)) throw err;
  }
}

/** A batch taken from a queue as runs of records and the markers between them, in order. */
function* segments(taken: readonly unknown[]): Generator<unknown[] | Marker> {
  let run: unknown[] = [];
  for (const item of taken) {
    if (!isMarker(item)) {
      run.push(item);
      continue;
    }
    if (run.length > 0) yield run;
    run = [];
    yield item;
  }
  if (run.length > 0) yield run;
}
