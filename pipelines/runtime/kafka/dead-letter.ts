// The dead-letter record: the original key and value bytes untouched, why they failed, and where they came
// from (topic, partition, offset), so an operator can inspect and replay them. Nothing is silently dropped.
import type { Clock } from '../stage.ts';
import type { OutgoingMessage } from './committer.ts';
import type { FailureKind } from './errors.ts';
import { DEAD_LETTER_TOPIC } from './names.ts';
import type { WireSerde } from './serde-port.ts';

export interface DeadLetterInput {
  readonly kind: FailureKind;
  readonly stage: string;
  readonly error: string;
  readonly sourceTopic: string;
  readonly sourcePartition: number;
  readonly sourceOffset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
}

export function deadLetterMessage(letter: DeadLetterInput, topic: string, serde: WireSerde, clock: Clock): OutgoingMessage {
  const value = {
    key: letter.key,
    value: letter.value,
    error: letter.error,
    errorKind: letter.kind,
    stage: letter.stage,
    sourceTopic: letter.sourceTopic,
    sourcePartition: letter.sourcePartition,
    sourceOffset: Number(letter.sourceOffset),
    ts: clock.now(),
  };
  return { topic, key: serde.encodeKey(DEAD_LETTER_TOPIC, letter.key), value: serde.encodeValue(DEAD_LETTER_TOPIC, value) };
}
