// The compacted `dossiers` topic (DESIGN.md §3): the latest record per dossier face is kept for ever, so a matcher
// that reads it from the beginning learns every face enrolled; tombstones are kept a day for the late ones.
import type { Admin, ITopicConfig } from 'kafkajs';
import { ensureTopics } from '../../pipelines/runtime/kafka/topics.ts';
import { kafkaTopic } from '../../schemas/topics.ts';

/** Partitions when facestream creates the topic; readers follow all of them, whatever the count. */
export const DOSSIERS_PARTITIONS = 4;

export function dossiersTopicName(topicPrefix: string): string {
  return kafkaTopic('dossiers', topicPrefix);
}

export function dossiersTopicConfig(topicPrefix: string): ITopicConfig {
  // 512 floats and a few names: far below 1 MB, but a 4096-d vector of a future model must fit too
  return compactedTopicConfig(dossiersTopicName(topicPrefix), DOSSIERS_PARTITIONS, 4 * 1024 * 1024);
}

/** A compacted topic of latest states per key; tombstones are kept a day for readers that were away. */
export function compactedTopicConfig(topic: string, partitions: number, maxMessageBytes: number): ITopicConfig {
  return {
    topic,
    numPartitions: partitions,
    replicationFactor: -1,
    configEntries: [
      { name: 'cleanup.policy', value: 'compact' },
      { name: 'delete.retention.ms', value: String(86_400_000) },
      { name: 'max.message.bytes', value: String(maxMessageBytes) },
    ],
  };
}

/** Creates the topic unless it exists, and waits for its leaders. */
export async function ensureDossiersTopic(admin: Admin, topicPrefix: string): Promise<void> {
  await ensureTopics(admin, [dossiersTopicConfig(topicPrefix)]);
}
