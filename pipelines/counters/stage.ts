// Counters stage: detections → counter records. count.ts decides; this shell asks the definitions which counters
// count on each frame's camera and keeps, per camera, the slot each counter last took a record in — state the Kafka
// runtime commits with the records, so a restarted stage neither repeats nor skips a slot.
import type { CounterRecord } from '../../schemas/generated/avro-types.ts';
import type { FrameDetections } from '../../schemas/records.ts';
import type { Stage, StageContext, StageState } from '../runtime/stage.ts';
import { countFrame, type CounterSlots } from './count.ts';
import type { CounterDefinitions } from './definitions.ts';

export interface CountersStageOptions {
  readonly definitions: CounterDefinitions;
  readonly name?: string;
}

/** Name of the state this stage keeps (per camera: counter → last slot), stable across versions. */
export const COUNTERS_STATE_STORE = 'counters-state';

export function createCountersStage(options: CountersStageOptions): Stage<FrameDetections, CounterRecord> {
  const slots = new Map<string, CounterSlots>();
  const changed = new Set<string>();
  const state: StageState = {
    takeChanges() {
      const out = [...changed].map((camera) => [camera, slots.get(camera) ?? null] as const);
      changed.clear();
      return out;
    },
    restore(entries) {
      slots.clear();
      changed.clear();
      for (const [camera, value] of entries) if (value instanceof Map) slots.set(camera, value as CounterSlots);
    },
  };
  return {
    name: options.name ?? 'counters',
    state,
    maxBatch: 64,
    async process(records: readonly FrameDetections[], ctx: StageContext<CounterRecord>): Promise<void> {
      for (const d of records) {
        const counters = options.definitions.forCamera(d.frame.camera);
        if (counters.length === 0) continue;
        const before = slots.get(d.frame.camera) ?? new Map<string, number>();
        const step = countFrame(before, d, counters);
        if (step.slots !== before) {
          slots.set(d.frame.camera, step.slots);
          changed.add(d.frame.camera);
        }
        for (const record of step.records) await ctx.forward(record);
        if (step.records.length > 0) ctx.count('counter_records', step.records.length);
      }
    },
  };
}
