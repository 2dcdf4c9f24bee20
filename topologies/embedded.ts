// The default topology: every stage in one process, every topic an in-process queue with back-pressure,
// embedded stores. `facestream analyze` and `identify` run on it; no servers needed.
import type { TopologySpec } from './topology.ts';

export const embeddedTopology: TopologySpec = {
  name: 'embedded',
  description: 'one process, in-process queues',
  processes: [{ name: 'main', stages: ['ingest', 'detect', 'track', 'embed', 'match', 'episodes'] }],
  edges: {
    frames: 'inproc',
    detections: 'inproc',
    faces: 'inproc',
    embeddings: 'inproc',
    matches: 'inproc',
    episodes: 'inproc',
  },
};
