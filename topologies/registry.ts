// Every topology facestream ships, by name (the CLI's --topology). Each is data; builders run them.
import { distributedTopology } from './distributed.ts';
import { edgeTopology } from './edge.ts';
import { embeddedTopology } from './embedded.ts';
import type { TopologySpec } from './topology.ts';
import { viewtronEmbeddedTopology, viewtronTopology } from './viewtron.ts';

export const TOPOLOGIES: Readonly<Record<string, TopologySpec>> = {
  embedded: embeddedTopology,
  distributed: distributedTopology,
  edge: edgeTopology,
  viewtron: viewtronTopology,
  'viewtron-embedded': viewtronEmbeddedTopology,
};
