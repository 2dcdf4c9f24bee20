// sink-counters: counter records → ClickHouse counter_records. A counter writes one record per camera and interval,
// so each call inserts what it was handed, in process and over Kafka alike (where the offsets then commit after
// the rows are written). Rows are keyed by record id: a repeated write replaces.
import type { ClickHouseClient } from '@clickhouse/client';
import type { CounterRecord } from '../../schemas/generated/avro-types.ts';
import { insertCounterRecords } from '../../stores/clickhouse/counter-records.ts';
import type { Stage } from '../runtime/stage.ts';
import { StoreWriteError } from '../sink-clickhouse/stage.ts';

export function createCounterSinkStage(options: { readonly client: ClickHouseClient }): Stage<CounterRecord, never> {
  return {
    name: 'sink-counters',
    maxBatch: 1000,
    async process(records, ctx) {
      try {
        await insertCounterRecords(options.client, records);
      } catch (err) {
        // retryable: the runtime repeats the input instead of dead-lettering good records over a store outage
        throw new StoreWriteError(`the analytics store refused counter records: ${(err as Error).message}`, { cause: err });
      }
      ctx.count('sink_counter_records', records.length);
    },
  };
}
