// Splits one process of a topology into what runs it: in-process graphs rooted at a source (their Kafka-bound
// topics leave through taps) and single stages that consume a Kafka topic. Pure, so a bad topology fails with a
// clear message before anything connects.
import { NOTIFY_STAGES } from '../pipelines/notify/index.ts';
import { STAGES, type StageName } from '../pipelines/registry.ts';
import type { Topic } from './names.ts';
import type { ProcessSpec, TopologySpec } from './topology.ts';

export type ProcessPart =
  | { readonly kind: 'graph'; readonly stages: readonly StageName[]; readonly kafkaOutputs: readonly Topic[] }
  | { readonly kind: 'kafka-stage'; readonly stage: StageName; readonly input: Topic; readonly output: Topic | null };

export class TopologyError extends Error {
  constructor(topology: string, message: string) {
    super(`topology ${topology}: ${message}`);
    this.name = 'TopologyError';
  }
}

export function processOf(spec: TopologySpec, name: string): ProcessSpec {
  const proc = spec.processes.find((p) => p.name === name);
  if (!proc) throw new TopologyError(spec.name, `no process "${name}" (it has ${spec.processes.map((p) => p.name).join(', ')})`);
  return proc;
}

export function planProcess(spec: TopologySpec, processName: string): ProcessPart[] {
  const proc = processOf(spec, processName);
  const err = (m: string) => new TopologyError(spec.name, `process ${proc.name}: ${m}`);
  const here = new Set(proc.stages);
  const producedHere = (t: Topic) => proc.stages.some((s) => STAGES[s].output === t);
  const parts: ProcessPart[] = [];
  const inGraph = new Set<StageName>();
  for (const name of proc.stages) {
    const { input, output } = STAGES[name];
    if (input === null) continue;
    const edge = spec.edges[input];
    if (edge === 'kafka') {
      const feedsHere = output !== null && proc.stages.some((s) => STAGES[s].input === output) && spec.edges[output] === 'inproc';
      if (feedsHere) throw err(`${name} reads Kafka and feeds an in-process queue; a stage that consumes Kafka runs alone (put the edge on Kafka or the stages in a source's process)`);
      parts.push({ kind: 'kafka-stage', stage: name, input, output: output !== null && spec.edges[output] === 'kafka' ? output : null });
    } else if (!producedHere(input)) {
      throw err(`${name} reads the in-process queue "${input}", which no stage of this process produces`);
    }
  }
  // a source and every stage reachable from it over in-process edges form one graph
  for (const name of proc.stages) {
    if (STAGES[name].input !== null) continue;
    const stages: StageName[] = [name];
    for (let i = 0; i < stages.length; i++) {
      const out = STAGES[stages[i]!].output;
      if (out === null || spec.edges[out] !== 'inproc') continue;
      for (const next of proc.stages) if (STAGES[next].input === out && !stages.includes(next)) stages.push(next);
    }
    stages.forEach((s) => inGraph.add(s));
    const kafkaOutputs = [...new Set(stages.map((s) => STAGES[s].output).filter((t): t is Topic => t !== null && spec.edges[t] === 'kafka'))];
    parts.push({ kind: 'graph', stages, kafkaOutputs });
  }
  const stranded = proc.stages.filter((s) => STAGES[s].input !== null && spec.edges[STAGES[s].input!] === 'inproc' && !inGraph.has(s));
  if (stranded.length > 0) throw err(`${stranded.join(', ')} read in-process queues but no source of this process feeds them`);
  if (here.size !== proc.stages.length) throw err('lists a stage twice');
  return parts;
}

/** The topology with `stages` left out of every process (a process left empty goes), e.g. analyze without --store. */
export function withoutStages(spec: TopologySpec, stages: readonly string[]): TopologySpec {
  const drop = new Set(stages);
  return {
    ...spec,
    processes: spec.processes.map((p) => ({ ...p, stages: p.stages.filter((s) => !drop.has(s)) })).filter((p) => p.stages.length > 0),
  };
}

/** The Kafka topics a stage of the topology writes: an edge on Kafka that no stage here produces stays empty (no topic). */
export function kafkaTopicsWritten(spec: TopologySpec): Topic[] {
  const outputs = spec.processes.flatMap((p) => p.stages.map((s) => STAGES[s].output));
  return [...new Set(outputs.filter((t): t is Topic => t !== null && spec.edges[t] === 'kafka'))];
}

/**
 * The stages whose end of stream means a camera has gone all the way through: those whose output no stage of
 * the topology reads (the sink stages, or episodes in a topology without them). Not the notify stages: they only
 * queue for webhooks (at most once), and notify-counters may read a topic nothing in the topology writes.
 */
export function terminalStages(spec: TopologySpec): StageName[] {
  const all = spec.processes.flatMap((p) => p.stages).filter((s) => !(NOTIFY_STAGES as readonly string[]).includes(s));
  const read = new Set(all.map((s) => STAGES[s].input).filter((t) => t !== null));
  return all.filter((s) => STAGES[s].output === null ? STAGES[s].input !== null : !read.has(STAGES[s].output));
}
