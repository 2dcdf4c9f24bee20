// Stage processes on Kafka keep their camera settings view (settings-view.ts) up to date from the compacted
// `cameras` topic: every process reads all of it (not a share, unlike the ingest workers' group), from the beginning.
// The embedded topology has no topic: the camera outbox's relay publishes into its view (relayCameraSettings).
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { followCompactedTopic, type DossiersFollower } from '../../enrolment/watchlist-sync/kafka-follower.ts';
import { startRelay, type OutboxRelay } from '../../enrolment/watchlist-sync/outbox-relay.ts';
import type { KeyedChange } from '../../enrolment/watchlist-sync/publisher.ts';
import type { CameraJob } from '../../schemas/generated/avro-types.ts';
import type { TopicSerde } from '../../schemas/serde/topic-serde.ts';
import type { Db } from '../../stores/postgres/db.ts';
import { CAMERA_OUTBOX } from './publish/camera-outbox.ts';
import { ensureCamerasTopic } from './kafka-jobs/cameras-topic.ts';
import type { CameraSettingsView } from './settings-view.ts';

export interface CameraSettingsFollowerOptions {
  readonly kafka: Kafka;
  /** registerAll() already done */
  readonly serde: TopicSerde;
  readonly topicPrefix: string;
  readonly logger: Pick<Logger, 'info' | 'warn'>;
}

/**
 * Keeps `view` up to date from the `cameras` topic: read whole from the beginning (`ready` once caught up), then
 * every change as it comes. A job with bad settings is logged and leaves the camera as it was: its other records
 * and the other cameras go on.
 */
export function followCameraSettings(view: CameraSettingsView, opts: CameraSettingsFollowerOptions): Promise<DossiersFollower> {
  return followCompactedTopic({
    ...opts,
    topic: 'cameras',
    ensureTopic: (admin) => ensureCamerasTopic(admin, opts.topicPrefix),
    onChange: (change) => applyCameraChange(view, change, opts.logger),
  });
}

/** A `cameras` record into the view: a tombstone forgets the camera; a job with bad settings is logged and changes nothing. */
function applyCameraChange(view: CameraSettingsView, { key, value }: KeyedChange<CameraJob>, logger: Pick<Logger, 'info' | 'warn'>): void {
  if (value === null) {
    view.delete(key);
    logger.info({ camera: key }, 'camera settings: camera deleted, global settings apply');
    return;
  }
  try {
    view.setJob(value);
    logger.info({ camera: key, version: value.version }, 'camera settings: applied');
  } catch (err) {
    logger.warn({ camera: key, version: value.version, err: (err as Error).message }, 'camera settings: refused, the camera keeps its previous settings');
  }
}

/**
 * The embedded topology's follower (serve without Kafka): the camera outbox's relay publishes every camera's job into
 * `view` at start, then each change as it commits; so the match stage learns cameras' thresholds and groups, which the
 * camera manager, which starts the jobs, does not hand on.
 */
export function relayCameraSettings(view: CameraSettingsView, opts: { readonly db: Db; readonly logger: Pick<Logger, 'info' | 'warn' | 'debug'>; readonly pollMs?: number }): Promise<OutboxRelay> {
  const publish = (changes: readonly KeyedChange<CameraJob>[]) => Promise.resolve(changes.forEach((c) => applyCameraChange(view, c, opts.logger)));
  return startRelay({ db: opts.db, outbox: CAMERA_OUTBOX, publisher: { target: 'the camera settings view', publish }, logger: opts.logger, snapshotAtStart: true, ...(opts.pollMs !== undefined ? { pollMs: opts.pollMs } : {}) });
}
