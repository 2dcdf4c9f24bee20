// Edge cameras that push their own face detections (Viewtron IPCs and NVRs, pipelines/viewtron): the receiver
// finds each pushed face again and writes its post to the Kafka `faces` topic, answering the device only once the
// broker has acknowledged it (nothing is lost when the process dies after the answer); the embed stage of the same
// process (it has the models anyway) consumes that topic like the distributed topology's embed. Match, episodes and
// the analytics sink are the distributed topology's processes on the same topics, so a deployment runs this
// receiver process beside its video cameras' processes and their events meet in match and episodes.
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
  edges: distributedTopology.edges,
};

/** The same in one process with in-process queues and the embedded stores: a single box receiving pushes. */
export const viewtronEmbeddedTopology: TopologySpec = {
  name: 'viewtron-embedded',
  description: 'the Viewtron push receiver and every stage after it in one process, in-process queues',
  processes: [{ name: 'main', stages: ['viewtron', 'embed', 'match', 'episodes', 'sink-events', 'sink-episodes'] }],
  edges: embeddedTopology.edges,
};
