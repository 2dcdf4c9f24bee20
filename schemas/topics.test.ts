import { describe, expect, it } from 'vitest';
import { TOPICS } from '../topologies/names.ts';
import { loadAvroContracts } from './avro/contracts.ts';
import { TOPIC_CONTRACTS, TOPIC_NAMES, allTopicSubjects, isTopicName, topicSubjects } from './topics.ts';

describe('topic table', () => {
  it('names subjects by TopicNameStrategy, with the prefix', () => {
    expect(topicSubjects('matches', '')).toEqual({ topic: 'matches', kafkaTopic: 'matches', keySubject: 'matches-key', valueSubject: 'matches-value' });
    expect(topicSubjects('dead-letter', 'site1.')).toEqual({
      topic: 'dead-letter', kafkaTopic: 'site1.dead-letter', keySubject: 'site1.dead-letter-key', valueSubject: 'site1.dead-letter-value',
    });
    expect(allTopicSubjects('p-').map((s) => s.kafkaTopic)).toEqual(TOPIC_NAMES.map((t) => `p-${t}`));
  });

  it('gives every topic a value type that has an .avsc file', () => {
    const names = loadAvroContracts().names;
    for (const t of TOPIC_NAMES) expect(names).toContain(TOPIC_CONTRACTS[t].valueType);
  });

  it('covers the topics topologies/names.ts knows', () => {
    for (const t of Object.values(TOPICS)) expect(isTopicName(t), t).toBe(true);
  });
});
