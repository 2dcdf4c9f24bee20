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
      // a camera's state holds its best-shot crops: more than the 1 MB default with several large faces
      { name: 'max.message.bytes', value: String(16 * 1024 * 1024) },
    ],
  };
}

/**
 * Creates those of `topics` that do not exist yet and waits until every partition of all of them has a leader.
 * Several processes of a topology start at once and race to create the same topics: losing that race is fine.
 */
export async function ensureTopics(admin: Admin, topics: readonly ITopicConfig[], timeoutMs = 30_000): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((t) => !existing.has(t.topic));
  let created: string[] = [];
  if (missing.length > 0) {
    try {
      // leaders are awaited below: kafkajs's own wait fails when another process creates the same topics
      await admin.createTopics({ topics: [...missing], waitForLeaders: false });
      created = missing.map((t) => t.topic);
    } catch (err) {
      if (!onlyAlreadyExists(err)) throw err;
    }
  }
  await waitForLeaders(admin, topics.map((t) => t.topic), timeoutMs);
  return created;
}

function onlyAlreadyExists(err: unknown): boolean {
  const e = err as { type?: string; errors?: Array<{ type?: string }> };
  if (e.type === 'TOPIC_ALREADY_EXISTS') return true;
  return Array.isArray(e.errors) && e.errors.length > 0 && e.errors.every((x) => x.type === 'TOPIC_ALREADY_EXISTS');
}

async function waitForLeaders(admin: Admin, topics: readonly string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { topics: meta } = await admin.fetchTopicMetadata({ topics: [...topics] });
      if (meta.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return;
    } catch (err) {
      // a topic another process is creating right now is not in the metadata yet
      if (Date.now() > deadline) throw err;
    }
    if (Date.now() > deadline) throw new Error(`topics ${topics.join(', ')} have no leader after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
