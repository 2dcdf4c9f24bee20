// Edge cameras that push their own face detections (Viewtron IPCs and NVRs, pipelines/viewtron): the receiver
// finds each pushed face again and the embed stage embeds it in the same process, so only small embeddings leave
// it; match, episodes and the analytics sink are the distributed topology's processes on the same topics, so a
// deployment runs this receiver process beside its video cameras' processes and their events meet in match and
// episodes.
import { distributedTopology } from './distributed.ts';
import { embeddedTopology } from './embedded.ts';
import { withoutStages } from './plan.ts';
import type { TopologySpec } from './topology.ts';

// no counters: pushes carry faces, not the frames a counter counts
const CENTRAL = new Set(['match', 'episodes', 'sink']);

export const viewtronTopology: TopologySpec = {
  name: 'viewtron',
  description: 'the Viewtron push receiver with embed in one process, the rest over Kafka',
  processes: [{ name: 'viewtron', stages: ['viewtron', 'embed'], modelWorkers: 1 }, ...withoutStages(distributedTopology, ['sink-counters']).processes.filter((p) => CENTRAL.has(p.name))],
  edges: { ...distributedTopology.edges, faces: 'inproc' },
};

/** The same in one process with in-process queues and the embedded stores: a single box receiving pushes. */
export const viewtronEmbeddedTopology: TopologySpec = {
  name: 'viewtron-embedded',
  description: 'the Viewtron push receiver and every stage after it in one process, in-process queues',
  processes: [{ name: 'main', stages: ['viewtron', 'embed', 'match', 'episodes', 'sink-events', 'sink-episodes'] }],
  edges: embeddedTopology.edges,
};
