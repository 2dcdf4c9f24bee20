// Creates the topics a process reads and writes, with the partitions and retention the configuration gives
// (compacted for state topics). Existing topics are left as they are: changing partitions re-keys cameras.
import type { Admin, ITopicConfig } from 'kafkajs';
import type { Topic } from '../../../topologies/names.ts';
import type { KafkaConfig } from './config.ts';
import { DEAD_LETTER_TOPIC, type KafkaNames } from './names.ts';

export function dataTopicConfig(config: KafkaConfig, names: KafkaNames, topic: Topic | typeof DEAD_LETTER_TOPIC): ITopicConfig {
  const settings = config.topics[topic];
  return {
    topic: names.topic(topic),
    numPartitions: settings.partitions,
    replicationFactor: -1,
    configEntries: [{ name: 'retention.ms', value: String(settings.retention_ms) }],
  };
}

export function stateTopicConfig(names: KafkaNames, stage: string): ITopicConfig {
  return {
    topic: names.stateTopic(stage),
    numPartitions: 1,
    replicationFactor: -1,
    configEntries: [
      { name: 'cleanup.policy', value: 'compact' },
      { name: 'min.compaction.lag.ms', value: '0' },
    ],
  };
}

/** Creates those of `topics` that do not exist yet; safe when several processes race to create them. */
export async function ensureTopics(admin: Admin, topics: readonly ITopicConfig[]): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((t) => !existing.has(t.topic));
  if (missing.length === 0) return [];
  try {
    await admin.createTopics({ topics: [...missing], waitForLeaders: true });
  } catch (err) {
    // another process created some of them first
    if ((err as { type?: string }).type !== 'TOPIC_ALREADY_EXISTS') throw err;
  }
  return missing.map((t) => t.topic);
}
