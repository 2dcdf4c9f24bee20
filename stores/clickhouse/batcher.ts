// Batching for the analytics sink, pure (no timers, no IO): rows are written once `maxRows` are pending or the
// oldest pending row has waited `maxDelayMs`, because every ClickHouse insert costs ~11–24 ms whatever its
// size. The caller brings the clock (`now`, ms) and does the writing.

export interface BatchingOptions {
  /** a batch is written once it holds this many rows (1,000 by default) */
  readonly maxRows: number;
  /** a batch is written at the latest this long after its oldest row arrived (1 s by default) */
  readonly maxDelayMs: number;
}

export const DEFAULT_BATCHING: BatchingOptions = { maxRows: 1000, maxDelayMs: 1000 };

export interface Batcher<T> {
  /** Adds rows; returns the full batches (exactly `maxRows` each) now ready to write, oldest first. */
  add(items: readonly T[], now: number): T[][];
  /** whether the pending rows have waited long enough to be written */
  due(now: number): boolean;
  /** Takes every pending row (possibly none). */
  takeAll(): T[];
  /** Puts rows that could not be written back in front of the pending ones, as pending since `since`. */
  requeue(items: readonly T[], since: number): void;
  readonly size: number;
  /** when the oldest pending row arrived; null when none is pending */
  readonly oldestAt: number | null;
}

export function createBatcher<T>(options: BatchingOptions = DEFAULT_BATCHING): Batcher<T> {
  if (!(options.maxRows >= 1) || !(options.maxDelayMs >= 0)) throw new RangeError('batching needs maxRows ≥ 1 and maxDelayMs ≥ 0');
  let pending: T[] = [];
  let oldestAt: number | null = null;
  return {
    add(items, now) {
      if (items.length === 0) return [];
      if (pending.length === 0) oldestAt = now;
      pending.push(...items);
      const ready: T[][] = [];
      while (pending.length >= options.maxRows) ready.push(pending.splice(0, options.maxRows));
      // what is left arrived with the last rows added: it waits from now
      if (ready.length > 0) oldestAt = pending.length > 0 ? now : null;
      return ready;
    },
    due(now) {
      return oldestAt !== null && now - oldestAt >= options.maxDelayMs;
    },
    takeAll() {
      const all = pending;
      pending = [];
      oldestAt = null;
      return all;
    },
    requeue(items, since) {
      if (items.length === 0) return;
      pending = [...items, ...pending];
      oldestAt = oldestAt === null ? since : Math.min(oldestAt, since);
    },
    get size() {
      return pending.length;
    },
    get oldestAt() {
      return oldestAt;
    },
  };
}
