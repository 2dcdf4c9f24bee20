// A StageContext for unit tests of one stage (Kafka Streams' MockProcessorContext): it keeps what the stage
// forwards and counts, lets the test set the wall clock, and logs nowhere, so tests stay synchronous and quiet.
import { pino } from 'pino';
import type { CameraIdle, Clock, SourceContext } from '../stage.ts';

export interface MockContext<Out> extends SourceContext<Out> {
  /** Everything forwarded so far, in order. */
  readonly forwarded: readonly Out[];
  /** What a source said with `idle()`, in order. */
  readonly idles: readonly CameraIdle[];
  /** Named counters from `count()`. */
  readonly counts: ReadonlyMap<string, number>;
  /** Returns what was forwarded since the last `take()` and forgets it. */
  take(): Out[];
  /** Sets the wall clock (ms since the epoch). */
  setNow(ms: number): void;
  /** Moves the wall clock on by `ms`. */
  advance(ms: number): void;
}

export interface MockContextOptions {
  readonly stage?: string;
  /** initial wall clock, ms since the epoch; 0 by default so tests never depend on the real time */
  readonly now?: number;
}

export function mockContext<Out>(options: MockContextOptions = {}): MockContext<Out> {
  let now = options.now ?? 0;
  // Plain properties (no getters), so a test may spread the context and override one field.
  const forwarded: Out[] = [];
  let taken = 0;
  const counts = new Map<string, number>();
  const idles: CameraIdle[] = [];
  const clock: Clock = { now: () => now };
  return {
    stage: options.stage ?? 'test',
    logger: pino({ level: 'silent' }),
    clock,
    forward(record: Out): Promise<void> {
      forwarded.push(record);
      return Promise.resolve();
    },
    idle(idle: CameraIdle): Promise<void> {
      idles.push(idle);
      return Promise.resolve();
    },
    count(what: string, n = 1): void {
      counts.set(what, (counts.get(what) ?? 0) + n);
    },
    forwarded,
    idles,
    counts,
    take(): Out[] {
      const out = forwarded.slice(taken);
      taken = forwarded.length;
      return out;
    },
    setNow(ms: number): void {
      now = ms;
    },
    advance(ms: number): void {
      now += ms;
    },
  };
}
