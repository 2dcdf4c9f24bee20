// Every stage its own process, every topic a Kafka topic: scale a stage by running more instances of it (they
// share its input partitions) and spread processes over machines. Episodes keep one scope's state, so that
// process runs one instance per scope set. The sink process writes events and episodes to ClickHouse
// (write-through: its offsets commit after the rows are written); with the embedded chdb it must be one instance,
// on a server (CLICKHOUSE_URL) it scales like the others.
import type { TopologySpec } from './topology.ts';

export const distributedTopology: TopologySpec = {
  name: 'distributed',
  description: 'one process per stage, Kafka between every stage',
  processes: [
    { name: 'ingest', stages: ['ingest'] },
    { name: 'detect', stages: ['detect'], modelWorkers: 1 },
    { name: 'track', stages: ['track'] },
    { name: 'embed', stages: ['embed'], modelWorkers: 1 },
    { name: 'match', stages: ['match'] },
    { name: 'episodes', stages: ['episodes'] },
    // counters read the definitions from PostgreSQL (DATABASE_URL); their records join the sink's ClickHouse client
    { name: 'counters', stages: ['counters'] },
    // both sink stages share one ClickHouse client (chdb allows one process per data directory); write-through
    { name: 'sink', stages: ['sink-events', 'sink-episodes', 'sink-counters'] },
    // webhooks and MQTT: filters and queues only, so it never holds up its input (pipelines/notify)
    { name: 'notify', stages: ['notify-events', 'notify-episodes', 'notify-counters'] },
  ],
  edges: {
    frames: 'kafka',
    detections: 'kafka',
    faces: 'kafka',
    embeddings: 'kafka',
    matches: 'kafka',
    episodes: 'kafka',
    counters: 'kafka',
  },
};
