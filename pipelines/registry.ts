// Every stage facestream has, listed explicitly (no side-effect registration): each stage's own descriptor
// (topics, state stores, factory) plus how to build it from the shared dependencies. Topologies pick from here.
import type { ClickHouseClient } from '@clickhouse/client';
import type { FacestreamConfig } from '../config/schema.ts';
import { createCameraSettingsView, type CameraSettingsView } from './cameras/settings-view.ts';
import type { FaceModels } from '../models/face-models.types.ts';
import type { FrameStore } from '../stores/frames/local-frame-store.ts';
import { countersStage, sinkCountersStage, type CounterDefinitions } from './counters/index.ts';
import type { DedupGroups } from './dedup/index.ts';
import { detectStage } from './detect/index.ts';
import { embedStage } from './embed/index.ts';
import { episodesStage } from './episodes/index.ts';
import { ingestSource } from './ingest/index.ts';
import type { IngestSourceOptions } from './ingest/stage.ts';
import { matchStage, type FaceIndex, type WatchListRules } from './match/index.ts';
import { notifierFor, notifyCountersStage, notifyEpisodesStage, notifyEventsStage, type NotifierHandle } from './notify/index.ts';
import type { AnalyticsSink } from '../stores/clickhouse/sink.ts';
import { sinkEpisodesStage, sinkEventsStage } from './sink-clickhouse/index.ts';
import { trackStage, type TrackStageOptions } from './track/index.ts';
import { pushedFrameStore, viewtronSource } from './viewtron/index.ts';

export interface StageDeps {
  readonly config: Readonly<FacestreamConfig>;
  /** absent in processes whose stages run no face model (track, episodes over Kafka) */
  readonly models?: FaceModels;
  readonly index: FaceIndex;
  /** each indexed face's watch lists and their thresholds and camera groups, kept with the index (matcher-sync.ts) */
  readonly watchListRules?: WatchListRules;
  /** what ingest reads */
  readonly source?: { readonly camera: string; readonly url: string; readonly jobStartMs?: number; readonly onPacket?: IngestSourceOptions['onPacket'] };
  readonly onTrackedFrame?: TrackStageOptions['onTrackedFrame'];
  /** the detector's whole-frame input size, for an ingest whose process loads no models (detectorWholeFrameInput) */
  readonly detectorInput?: { readonly width: number; readonly height: number };
  /** where ingest keeps full frames as evidence (Kafka deployments with frame_store.dir) */
  readonly frameStore?: FrameStore;
  /** what the sink stages write to (pipelines/sink-clickhouse/open.ts): one sink both share; write-through over Kafka */
  readonly analytics?: { readonly sink: AnalyticsSink; readonly writeThrough: boolean };
  /** what the notify stages share (pipelines/notify): serve hands one over its own stores; absent = opened on the configured servers */
  readonly notifier?: NotifierHandle;
  /** which counters count on which camera (PostgreSQL, pipelines/counters/definitions.ts) */
  readonly counterDefinitions?: CounterDefinitions;
  /** the analytics store's client, for sink-counters (its own table; opened with the analytics sink) */
  readonly clickhouse?: ClickHouseClient;
  /** per-camera settings, read per record (pipelines/cameras/settings-view.ts); default: the global config for every camera */
  readonly cameraSettings?: CameraSettingsView;
  /** which cameras' groups deduplicate events, for the episodes stage (PostgreSQL, pipelines/dedup/groups.ts) */
  readonly dedupGroups?: DedupGroups;
}

function settingsOf(deps: StageDeps): CameraSettingsView {
  return deps.cameraSettings ?? createCameraSettingsView(deps.config);
}

// one handle per process's deps, so that its notify stages share one Notifier
const notifiers = new WeakMap<StageDeps, NotifierHandle>();
function notifierOf(deps: StageDeps): NotifierHandle {
  if (deps.notifier) return deps.notifier;
  let handle = notifiers.get(deps);
  if (!handle) notifiers.set(deps, (handle = notifierFor({ config: deps.config, ...(deps.clickhouse ? { clickhouse: deps.clickhouse } : {}) })));
  return handle;
}

function sourceOf(deps: StageDeps): NonNullable<StageDeps['source']> {
  if (!deps.source) throw new Error('the ingest stage needs a source (camera and url)');
  return deps.source;
}

function analyticsOf(deps: StageDeps, stage: string): NonNullable<StageDeps['analytics']> {
  if (!deps.analytics) throw new Error(`the ${stage} stage needs the analytics store, which this process did not open`);
  return deps.analytics;
}

function modelsOf(deps: StageDeps, stage: string): FaceModels {
  if (!deps.models) throw new Error(`the ${stage} stage needs the face models, which this process did not load`);
  return deps.models;
}

export const STAGES = {
  ingest: {
    ...ingestSource,
    build: (d: StageDeps) => {
      // the decoder also makes the detector's input: known from the models in this process, or told (ingest over Kafka)
      const detectorInput = d.models?.detectorInput ?? d.detectorInput;
      const source = sourceOf(d);
      const settings = settingsOf(d);
      return ingestSource.create({
        ...source,
        config: settings.get(source.camera).ingest,
        cameraSettings: () => settings.get(source.camera),
        ...(d.frameStore ? { frameStore: d.frameStore } : {}),
        ...(detectorInput ? { detectorInput } : {}),
      });
    },
  },
  detect: { ...detectStage, build: (d: StageDeps) => detectStage.create({ models: modelsOf(d, 'detect'), settings: settingsOf(d) }) },
  track: {
    ...trackStage,
    build: (d: StageDeps) => trackStage.create({ track: d.config.track, bestShot: d.config.best_shot, settings: settingsOf(d), keepTrackStats: true, onTrackedFrame: d.onTrackedFrame }),
  },
  embed: { ...embedStage, build: (d: StageDeps) => embedStage.create({ models: modelsOf(d, 'embed'), embed: d.config.embed, attributes: d.config.attributes }) },
  match: { ...matchStage, build: (d: StageDeps) => matchStage.create({ config: d.config.match, index: d.index, settings: settingsOf(d), ...(d.watchListRules ? { rules: d.watchListRules } : {}) }) },
  episodes: { ...episodesStage, build: (d: StageDeps) => episodesStage.create({ config: d.config.episodes, ...(d.dedupGroups ? { dedupGroups: d.dedupGroups } : {}) }) },
  'sink-events': { ...sinkEventsStage, build: (d: StageDeps) => sinkEventsStage.create(analyticsOf(d, 'sink-events')) },
  'sink-episodes': { ...sinkEpisodesStage, build: (d: StageDeps) => sinkEpisodesStage.create(analyticsOf(d, 'sink-episodes')) },
  counters: {
    ...countersStage,
    build: (d: StageDeps) => {
      if (!d.counterDefinitions) throw new Error('the counters stage needs the counter definitions (PostgreSQL), which this process did not open');
      return countersStage.create({ definitions: d.counterDefinitions });
    },
  },
  'sink-counters': {
    ...sinkCountersStage,
    build: (d: StageDeps) => {
      if (!d.clickhouse) throw new Error('the sink-counters stage needs the analytics store, which this process did not open');
      return sinkCountersStage.create({ client: d.clickhouse });
    },
  },
  'notify-events': { ...notifyEventsStage, build: (d: StageDeps) => notifyEventsStage.create(notifierOf(d)) },
  'notify-episodes': { ...notifyEpisodesStage, build: (d: StageDeps) => notifyEpisodesStage.create(notifierOf(d)) },
  'notify-counters': { ...notifyCountersStage, build: (d: StageDeps) => notifyCountersStage.create(notifierOf(d)) },
  viewtron: {
    ...viewtronSource,
    build: (d: StageDeps) => viewtronSource.create({ config: d.config.viewtron, models: modelsOf(d, 'viewtron'), frameStore: pushedFrameStore(d.frameStore, d.config.frame_store) }),
  },
} as const;

export type StageName = keyof typeof STAGES;
