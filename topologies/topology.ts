// A topology is data: which stages run, in which process, and whether each topic is an in-process queue or a
// Kafka topic. It holds no logic; builders turn it into running graphs.
import type { StageName } from '../pipelines/registry.ts';
import type { Topic } from './names.ts';

export type Transport = 'inproc' | 'kafka';

export interface ProcessSpec {
  /** stable: names the process's consumer groups and logs */
  readonly name: string;
  readonly stages: readonly StageName[];
  /** model worker threads of this process (processes sharing a box share its cores); default: runtime.model_workers */
  readonly modelWorkers?: number;
}

export interface TopologySpec {
  readonly name: string;
  readonly description: string;
  readonly processes: readonly ProcessSpec[];
  readonly edges: Readonly<Record<Topic, Transport>>;
}
