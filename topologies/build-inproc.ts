// Builds the in-process graph of one process of a topology whose edges are all in-process queues.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { STAGES, type StageDeps, type StageName } from '../pipelines/registry.ts';
import { InProcessGraph, type AddedSource, type DeadLetter, type Tap } from '../pipelines/runtime/inproc/run-graph.ts';
import type { Source, Stage, Clock } from '../pipelines/runtime/stage.ts';
import type { Topic } from './names.ts';
import { processOf } from './plan.ts';
import type { TopologySpec } from './topology.ts';

export interface InProcessRun {
  readonly graph: InProcessGraph;
  /** the stage instances by name, for what they expose (track stats, live episodes) */
  readonly stages: { readonly [K in StageName]?: ReturnType<(typeof STAGES)[K]['build']> };
  /**
   * Builds source stage `name` (one of `sourcesAdded`) for one camera — its source, and its own configuration when
   * the camera overrides settings — and starts it in the running graph; `wrap` may put a shell around it.
   */
  addSource(name: StageName, deps: Pick<StageDeps, 'source'> & Partial<Pick<StageDeps, 'config'>>, wrap?: (source: Source<unknown>) => Source<unknown>): AddedSource;
}

export interface BuildOptions {
  readonly deps: StageDeps;
  readonly taps?: Partial<Record<Topic, readonly Tap[]>>;
  readonly logger: Logger;
  readonly registry: Registry;
  readonly clock: Clock;
  readonly signal?: AbortSignal;
  readonly onDeadLetter?: (letter: DeadLetter) => void;
  /** source stages built per camera while the graph runs (InProcessRun.addSource) rather than once now */
  readonly sourcesAdded?: readonly StageName[];
  /** a shell around each source built now (a camera child's reconnecting source); stages keep the bare one */
  readonly wrapSource?: (source: Source<unknown>) => Source<unknown>;
}

export function buildInProcess(spec: TopologySpec, processName: string, opts: BuildOptions): InProcessRun {
  const proc = processOf(spec, processName);
  const kafkaEdges = Object.entries(spec.edges).filter(([, t]) => t === 'kafka');
  if (kafkaEdges.length > 0) throw new Error(`topology ${spec.name} puts ${kafkaEdges.map(([k]) => k).join(', ')} on Kafka; the in-process builder cannot run it`);
  return buildGraph(proc.stages, opts);
}

/** The in-process graph of `names` (a source and the stages its in-process queues feed). */
export function buildGraph(names: readonly StageName[], opts: BuildOptions): InProcessRun {
  const stages: Record<string, unknown> = {};
  const sources: Array<{ source: Source<unknown>; output: string }> = [];
  const nodes: Array<{ stage: Stage<unknown, unknown>; input: string; output?: string }> = [];
  const openTopics: string[] = [];
  for (const name of names) {
    const descriptor = STAGES[name];
    if (opts.sourcesAdded?.includes(name)) {
      if (descriptor.input !== null) throw new Error(`stage ${name} is not a source: it cannot be added per camera`);
      openTopics.push(descriptor.output);
      continue;
    }
    const built = descriptor.build(opts.deps);
    stages[name] = built;
    if (descriptor.input === null) sources.push({ source: opts.wrapSource?.(built as Source<unknown>) ?? (built as Source<unknown>), output: descriptor.output });
    else nodes.push({ stage: built as Stage<unknown, unknown>, input: descriptor.input, ...(descriptor.output ? { output: descriptor.output } : {}) });
  }
  const graph = new InProcessGraph({
    sources,
    stages: nodes,
    taps: opts.taps ?? {},
    queueCapacity: opts.deps.config.runtime.queue_capacity,
    logger: opts.logger,
    clock: opts.clock,
    registry: opts.registry,
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.onDeadLetter ? { onDeadLetter: opts.onDeadLetter } : {}),
    openTopics,
  });
  const addSource: InProcessRun['addSource'] = (name, deps, wrap = (s) => s) => {
    if (!opts.sourcesAdded?.includes(name)) throw new Error(`stage ${name} is not one of this graph's sources added per camera`);
    const descriptor = STAGES[name];
    const built = descriptor.build({ ...opts.deps, ...deps }) as Source<unknown>;
    return graph.addSource({ source: wrap(built), output: descriptor.output! });
  };
  return { graph, stages: stages as InProcessRun['stages'], addSource };
}
