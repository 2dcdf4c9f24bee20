// Prometheus metrics every stage gets from its runtime: throughput, latency, queue depth, named problems.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface StageMetrics {
  recordsIn: Counter<'stage'>;
  recordsOut: Counter<'stage'>;
  latency: Histogram<'stage'>;
  queueDepth: Gauge<'stage'>;
  problems: Counter<'stage' | 'what'>;
}

export function createStageMetrics(registry: Registry): StageMetrics {
  return {
    recordsIn: new Counter({ name: 'facestream_stage_records_in_total', help: 'records a stage consumed', labelNames: ['stage'], registers: [registry] }),
    recordsOut: new Counter({ name: 'facestream_stage_records_out_total', help: 'records a stage forwarded', labelNames: ['stage'], registers: [registry] }),
    latency: new Histogram({
      name: 'facestream_stage_process_seconds',
      help: 'time a stage spent on one process() call',
      labelNames: ['stage'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    queueDepth: new Gauge({ name: 'facestream_stage_queue_depth', help: 'records waiting in a stage input queue', labelNames: ['stage'], registers: [registry] }),
    problems: new Counter({ name: 'facestream_stage_problems_total', help: 'non-fatal problems a stage counted (corrupt frames, dead letters …)', labelNames: ['stage', 'what'], registers: [registry] }),
  };
}
