// The one typed configuration of facestream. Keys use FindFace's names and defaults where FindFace has them
// (PRODUCT-REFERENCE.md §2.2, "Configure Episodes"), DeGirum's where it does (credence count, ReID expiration).
// Each stage owns its section's schema (pipelines/<stage>/config.ts); unknown keys are errors.
import { Type, type Static } from '@sinclair/typebox';
import { IngestConfig } from '../pipelines/ingest/config.ts';
import { DetectConfig } from '../pipelines/detect/config.ts';
import { TrackConfig, BestShotConfig } from '../pipelines/track/config.ts';
import { AttributesConfig, EmbedConfig } from '../pipelines/embed/config.ts';
import { MatchConfig, EnrolConfig } from '../pipelines/match/config.ts';
import { EpisodesConfig } from '../pipelines/episodes/config.ts';
import { RuntimeConfig } from '../pipelines/runtime/config.ts';
import { KafkaConfig } from '../pipelines/runtime/kafka/config.ts';
import { FrameStoreConfig } from '../stores/frames/config.ts';
import { PostgresConfig } from '../stores/postgres/config.ts';
import { ClickHouseConfig } from '../stores/clickhouse/config.ts';
import { ApiConfig } from '../api/config.ts';
import { ViewtronConfig } from '../pipelines/viewtron/config.ts';
import { NotifyConfig } from '../pipelines/notify/config.ts';
import { ClipsConfig } from '../pipelines/clips/config.ts';
import { CountersConfig } from '../pipelines/counters/config.ts';

/** The databases: each store owns its section's schema (stores/<store>/config.ts). */
export const StoresConfig = Type.Object(
  {
    postgres: PostgresConfig,
    clickhouse: ClickHouseConfig,
  },
  { additionalProperties: false, default: {} },
);
export type StoresConfig = Static<typeof StoresConfig>;

export const FacestreamConfig = Type.Object(
  {
    camera: Type.String({ default: 'cam-1', description: 'camera id used when one source is analysed' }),
    model_manifest: Type.String({ default: '', description: 'path of a model manifest; empty = the bundled faceplugin manifest' }),
    ingest: IngestConfig,
    detect: DetectConfig,
    track: TrackConfig,
    best_shot: BestShotConfig,
    attributes: AttributesConfig,
    embed: EmbedConfig,
    match: MatchConfig,
    episodes: EpisodesConfig,
    counters: CountersConfig,
    enrol: EnrolConfig,
    runtime: RuntimeConfig,
    kafka: KafkaConfig,
    frame_store: FrameStoreConfig,
    clips: ClipsConfig,
    stores: StoresConfig,
    api: ApiConfig,
    viewtron: ViewtronConfig,
    notify: NotifyConfig,
  },
  { additionalProperties: false },
);
export type FacestreamConfig = Static<typeof FacestreamConfig>;
