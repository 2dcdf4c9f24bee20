// Kafka names of a deployment: topics, consumer groups, transactional ids and state topics, all derived from
// the stable names in topologies/names.ts and the configured prefix — never from a position in a graph.
import { TOPICS, type Topic } from '../../../topologies/names.ts';

export const DEAD_LETTER_TOPIC = 'dead-letter';

export interface KafkaNames {
  topic(topic: Topic | typeof DEAD_LETTER_TOPIC): string;
  /** consumer group of a stage: its instances share the partitions of its input */
  group(stage: string): string;
  /** transactional id of one instance of a stage; stable across restarts so a restart fences its zombie */
  transactionalId(stage: string, instance: string): string;
  /** compacted topic holding a stateful stage's state per input partition */
  stateTopic(stage: string): string;
}

export function kafkaNames(prefix: string): KafkaNames {
  return {
    topic: (t) => `${prefix}${t === DEAD_LETTER_TOPIC ? t : TOPICS[t]}`,
    group: (stage) => `${prefix}facestream-${stage}`,
    transactionalId: (stage, instance) => `${prefix}facestream-${stage}-${instance}`,
    stateTopic: (stage) => `${prefix}facestream-${stage}-state`,
  };
}
