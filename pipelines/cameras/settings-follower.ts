// Stage processes on Kafka keep their camera settings view (settings-view.ts) up to date from the compacted
// `cameras` topic: every process reads all of it (not a share, unlike the ingest workers' group), from the beginning.
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { followCompactedTopic, type DossiersFollower } from '../../enrolment/watchlist-sync/kafka-follower.ts';
import type { TopicSerde } from '../../schemas/serde/topic-serde.ts';
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
    onChange: ({ key, value }) => {
      if (value === null) {
        view.delete(key);
        opts.logger.info({ camera: key }, 'camera settings: camera deleted, global settings apply');
        return;
      }
      try {
        view.setJob(value);
        opts.logger.info({ camera: key, version: value.version }, 'camera settings: applied');
      } catch (err) {
        opts.logger.warn({ camera: key, version: value.version, err: (err as Error).message }, 'camera settings: refused, the camera keeps its previous settings');
      }
    },
  });
}
