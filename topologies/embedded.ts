// The default topology: every stage in one process, every topic an in-process queue with back-pressure,
// embedded stores. `facestream analyze` and `identify` run on it; no servers needed. The analytics sink stages
// buffer here (1,000 rows or 1 s; nothing upstream is acknowledged before they write). `analyze` runs them only
// with `--store` (docs/CLICKHOUSE.md): without it the topology runs withoutStages(…, ANALYTICS_SINK_STAGES).
import type { TopologySpec } from './topology.ts';

export const embeddedTopology: TopologySpec = {
  name: 'embedded',
  description: 'one process, in-process queues',
  processes: [{ name: 'main', stages: ['ingest', 'detect', 'track', 'embed', 'match', 'episodes', 'sink-events', 'sink-episodes'] }],
  edges: {
    frames: 'inproc',
    detections: 'inproc',
    faces: 'inproc',
    embeddings: 'inproc',
    matches: 'inproc',
    episodes: 'inproc',
    counters: 'inproc',
  },
};
