// `facestream serve` on one box: the embedded topology's stages in the API's process, every topic an in-process
// queue, the sinks writing into the ClickHouse the API reads. Its sources (`perCamera`) are not built at start: the
// camera manager (pipelines/cameras/manager.ts) adds one per active camera while the graph runs and stops it when
// the camera changes. Stages that serve needs beside them (notifications, counters) are added here by name.
import { embeddedTopology } from './embedded.ts';
import type { TopologySpec } from './topology.ts';
import type { StageName } from '../pipelines/registry.ts';

export const serveTopology: TopologySpec = {
  ...embeddedTopology,
  name: 'serve',
  description: 'the API process: every stage in process, ingest sources added per camera',
  processes: [{ name: 'main', stages: ['ingest', 'detect', 'track', 'embed', 'match', 'episodes', 'sink-events', 'sink-episodes', 'notify-events', 'notify-episodes', 'counters', 'sink-counters', 'notify-counters'] }],
};

/** the source stages of serveTopology built per camera by the camera manager */
export const SERVE_PER_CAMERA: readonly StageName[] = ['ingest'];

/** serve's stages: with `viewtron.enabled`, the Viewtron receiver too, its pushed faces joining track's on `faces` */
export function serveStages(viewtron: { readonly enabled: boolean }): readonly StageName[] {
  const stages = serveTopology.processes[0]!.stages;
  return viewtron.enabled ? [...stages, 'viewtron'] : stages;
}
