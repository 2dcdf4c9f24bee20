// Edge cameras that push their own face detections (Viewtron IPCs and NVRs, pipelines/viewtron): the receiver
// finds each pushed face again and the embed stage embeds it in the same process, so only small embeddings leave
// it; match, episodes and the analytics sink run as in `distributed` — on the same topics, so a deployment runs
// this receiver process beside its video cameras' processes and their events meet in match and episodes.
import type { TopologySpec } from './topology.ts';

export const viewtronTopology: TopologySpec = {
  name: 'viewtron',
  description: 'the Viewtron push receiver with embed in one process, the rest over Kafka',
  processes: [
    { name: 'viewtron', stages: ['viewtron', 'embed'], modelWorkers: 1 },
    { name: 'match', stages: ['match'] },
    { name: 'episodes', stages: ['episodes'] },
    // both sink stages share one ClickHouse client (chdb allows one process per data directory); write-through
    { name: 'sink', stages: ['sink-events', 'sink-episodes'] },
  ],
  edges: {
    frames: 'kafka',
    detections: 'kafka',
    faces: 'inproc',
    embeddings: 'kafka',
    matches: 'kafka',
    episodes: 'kafka',
  },
};

/** The same in one process with in-process queues and the embedded stores: a single box receiving pushes. */
export const viewtronEmbeddedTopology: TopologySpec = {
  name: 'viewtron-embedded',
  description: 'the Viewtron push receiver and every stage after it in one process, in-process queues',
  processes: [{ name: 'main', stages: ['viewtron', 'embed', 'match', 'episodes', 'sink-events', 'sink-episodes'] }],
  edges: {
    frames: 'inproc',
    detections: 'inproc',
    faces: 'inproc',
    embeddings: 'inproc',
    matches: 'inproc',
    episodes: 'inproc',
  },
};
