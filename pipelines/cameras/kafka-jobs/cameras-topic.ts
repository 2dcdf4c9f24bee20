// The compacted `cameras` topic (DESIGN.md §3): the latest job per camera, keyed by camera id. Ingest workers share
// its partitions in one consumer group, so a camera runs where its partition is assigned: cameras spread over
// workers only as far as partitions allow. 12 lets up to 12 workers share the cameras and divides evenly among
// 2, 3, 4 or 6 of them; a job is a few hundred bytes, so idle partitions cost nothing. More workers than that need
// a topic made with more partitions (an existing topic is left as it is).
import type { Admin, ITopicConfig } from 'kafkajs';
import { ensureTopics } from '../../runtime/kafka/topics.ts';
import { compactedTopicConfig } from '../../../enrolment/watchlist-sync/dossiers-topic.ts';
import { kafkaTopic } from '../../../schemas/topics.ts';

export const CAMERAS_PARTITIONS = 12;

export function camerasTopicName(topicPrefix: string): string {
  return kafkaTopic('cameras', topicPrefix);
}

export function camerasTopicConfig(topicPrefix: string): ITopicConfig {
  // a URL and a few settings; ROI lists keep it far below this
  return compactedTopicConfig(camerasTopicName(topicPrefix), CAMERAS_PARTITIONS, 1024 * 1024);
}

/** Creates the topic unless it exists (a worker or a follower may start before any camera was published). */
export async function ensureCamerasTopic(admin: Admin, topicPrefix: string): Promise<void> {
  await ensureTopics(admin, [camerasTopicConfig(topicPrefix)]);
}
