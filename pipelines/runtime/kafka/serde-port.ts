// What the Kafka runtime needs from the Confluent wire-format serde (schemas/serde): topics are the logical
// names (no prefix); values are the Avro records of schemas/avro.
import type { DecodedRecord } from '../../../schemas/serde/topic-serde.ts';
import type { Topic } from '../../../topologies/names.ts';
import type { DEAD_LETTER_TOPIC } from './names.ts';

export type WireTopic = Topic | typeof DEAD_LETTER_TOPIC;

export interface WireSerde {
  encodeKey(topic: WireTopic, key: unknown): Buffer;
  encodeValue(topic: WireTopic, value: unknown): Buffer;
  decode(bytes: Buffer): Promise<unknown>;
  /** decode, with the Avro body when it is in our current schema of the record (TopicSerde.decodeKeepingBody) */
  decodeKeepingBody(bytes: Buffer): Promise<DecodedRecord>;
}
