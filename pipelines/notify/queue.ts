// What waits for one webhook (or the MQTT output) and one type: a bounded FIFO that drops its oldest objects when
// full. Dropping rather than spilling to disk: a receiver that is down for hours would otherwise grow a spill
// without bound and be flooded with stale alerts when it returns, while every event and episode is in ClickHouse
// anyway (GET /events pages through what a receiver missed). Every drop is returned to the caller, which logs
// and counts it, so nothing goes silently. Pure: the caller brings the clock.

export class BoundedQueue<T> {
  #items: T[] = [];
  #oldestAt: number | null = null;

  constructor(readonly limit: number) {
    if (!(limit >= 1)) throw new RangeError('a queue holds at least one item');
  }

  get size(): number {
    return this.#items.length;
  }

  /** when the oldest waiting item arrived (ms), null when empty */
  get oldestAt(): number | null {
    return this.#oldestAt;
  }

  /** Adds `items` at `now`; returns what fell out of the front to make room (oldest first). */
  push(items: readonly T[], now: number): T[] {
    if (items.length === 0) return [];
    if (this.#items.length === 0) this.#oldestAt = now;
    this.#items.push(...items);
    const over = this.#items.length - this.limit;
    return over > 0 ? this.#items.splice(0, over) : [];
  }

  /** Takes up to `max` items from the front. */
  take(max: number): T[] {
    const batch = this.#items.splice(0, max);
    // what is left waits from the moment it is the front; its own arrival time is not kept, so it is treated as
    // due at once (it has waited at least as long as the batch just taken)
    if (this.#items.length === 0) this.#oldestAt = null;
    return batch;
  }

  /** Takes everything. */
  drain(): T[] {
    return this.take(this.#items.length);
  }
}
