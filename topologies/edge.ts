// Fused at the edge: decoding, detection and tracking run beside the camera in one process, so only face
// posts (a few small crops a second) leave it; embedding, matching, episodes and the analytics sink run
// centrally over Kafka.
import type { TopologySpec } from './topology.ts';

export const edgeTopology: TopologySpec = {
  name: 'edge',
  description: 'ingest+detect+track fused in one process per camera, the rest over Kafka',
  processes: [
    { name: 'edge', stages: ['ingest', 'detect', 'track'] },
    { name: 'embed', stages: ['embed'], modelWorkers: 1 },
    { name: 'match', stages: ['match'] },
    { name: 'episodes', stages: ['episodes'] },
    // both sink stages share one ClickHouse client (chdb allows one process per data directory); write-through
    { name: 'sink', stages: ['sink-events', 'sink-episodes'] },
  ],
  edges: {
    frames: 'inproc',
    detections: 'inproc',
    faces: 'kafka',
    embeddings: 'kafka',
    matches: 'kafka',
    episodes: 'kafka',
    counters: 'kafka',
  },
};
