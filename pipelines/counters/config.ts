// Configuration of the counters stage (`counters` in the one configuration). The counters themselves (name,
// cameras with their ROI, interval, active) are rows of PostgreSQL's `counters`, managed through /api/v1/counters.
import { Type, type Static } from '@sinclair/typebox';

export const CountersConfig = Type.Object(
  {
    refresh_interval_ms: Type.Integer({
      default: 10_000,
      minimum: 0,
      description: 'the counters stage re-reads the counters from PostgreSQL this often besides on its change notifications (a missed notification is caught within this); 0 = on notifications only',
    }),
  },
  { additionalProperties: false, default: {} },
);
export type CountersConfig = Static<typeof CountersConfig>;
