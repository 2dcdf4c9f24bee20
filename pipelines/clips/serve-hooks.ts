// What a process that runs cameras in process (`facestream serve`) adds for the frame store: the retention sweeper
// (stores/frames/sweeper.ts) and, with clips.enabled, the clip recorder fed by each camera's ingest packets and by
// the graph's frames and episodes. Both need frame_store.dir; without it this does nothing. The composition root
// wires it in four places (docs/CLIPS.md "In serve").
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { FacestreamConfig } from '../../config/schema.ts';
import type { EpisodeChange, Frame } from '../../schemas/records.ts';
import { clipsRoot } from '../../stores/frames/layout.ts';
import { startSweeper, type Sweeper } from '../../stores/frames/sweeper.ts';
import type { StageDeps } from '../registry.ts';
import type { RecordTap } from '../runtime/inproc/run-graph.ts';
import { clipRecorderFor } from './recorder.ts';

export interface FrameStoreHooks {
  /** the clips' root for the API (ApiDeps.clipsDir); undefined without a frame store */
  readonly clipsDir: string | undefined;
  /** the deps of a camera's ingest source with its packet tap added (clips on), else as given */
  withPacketTap<D extends Pick<StageDeps, 'source'>>(deps: D): D;
  /** observes the camera graph's frames and episode changes (ServedCameras.tap) */
  attach(graph: { tap(topic: 'frames' | 'episodes', observer: RecordTap): void }): void;
  /** finishes the clips still open (after the cameras stopped), stops the sweeper */
  stop(): Promise<void>;
}

export function startFrameStoreHooks(o: { readonly config: Readonly<FacestreamConfig>; readonly logger: Logger; readonly registry?: Registry }): FrameStoreHooks {
  const { frame_store: store } = o.config;
  const dir = store.dir || undefined;
  const sweeper: Sweeper | null = dir ? startSweeper({ dir, config: store, logger: o.logger, ...(o.registry ? { registry: o.registry } : {}) }) : null;
  const recorder = clipRecorderFor(o);
  return {
    clipsDir: dir ? clipsRoot(dir) : undefined,
    withPacketTap(deps) {
      return recorder ? recorder.withPacketTap(deps) : deps;
    },
    attach(graph) {
      if (!recorder) return;
      graph.tap('frames', (f) => recorder.onFrame(f as Frame));
      graph.tap('episodes', (c) => recorder.onEpisode(c as EpisodeChange));
    },
    async stop() {
      await recorder?.close();
      await sweeper?.stop();
    },
  };
}
