// A bounded FIFO with async back-pressure: `push` waits while the queue is full, `take` waits while it is
// empty. Single consumer; any number of producers.

export class QueueClosedError extends Error {
  constructor() {
    super('queue closed');
    this.name = 'QueueClosedError';
  }
}

export class BoundedQueue<T> {
  private readonly items: T[] = [];
  private readonly waitingPushers: Array<() => void> = [];
  private waitingTaker: (() => void) | undefined;
  private ended = false;
  private aborted = false;

  constructor(readonly capacity: number) {
    if (!(capacity >= 1)) throw new RangeError('queue capacity must be ≥ 1');
  }

  get size(): number {
    return this.items.length;
  }

  async push(item: T): Promise<void> {
    while (this.items.length >= this.capacity && !this.aborted) {
      await new Promise<void>((resolve) => this.waitingPushers.push(resolve));
    }
    if (this.aborted || this.ended) throw new QueueClosedError();
    this.items.push(item);
    this.wakeTaker();
  }

  /** Takes 1..max items, waiting for at least one; `undefined` once ended and drained. */
  async take(max: number): Promise<T[] | undefined> {
    while (this.items.length === 0) {
      if (this.ended || this.aborted) return undefined;
      await new Promise<void>((resolve) => (this.waitingTaker = resolve));
    }
    const batch = this.items.splice(0, Math.max(1, max));
    this.wakePushers();
    return batch;
  }

  /** No more pushes; the consumer drains what is queued. Safe to call twice. */
  end(): void {
    this.ended = true;
    this.wakeTaker();
  }

  /** Drops what is queued and releases everyone waiting. Safe to call twice. */
  abort(): void {
    this.aborted = true;
    this.items.length = 0;
    this.wakeTaker();
    this.wakePushers();
  }

  private wakeTaker(): void {
    const taker = this.waitingTaker;
    this.waitingTaker = undefined;
    taker?.();
  }

  private wakePushers(): void {
    for (const pusher of this.waitingPushers.splice(0)) pusher();
  }
}
