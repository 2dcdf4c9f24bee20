// Delivery to one target (a webhook, or the MQTT output) of one type of object: its own bounded queue and its
// own loop, so a slow or failing receiver delays nobody else and never the pipeline (`offer` returns at once).
// The loop takes a batch of up to the target's max batch size (at once when that many wait, else after
// `flush_interval_ms`), sends it, and on failure waits retryDelayMs() and sends the same batch again, up to the
// target's max attempts. Every attempt is a row of the delivery log; a batch given up is logged as `failed`,
// objects pushed out of a full queue (or still waiting at close) as `dropped`: never silently lost.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { DeliveryLogWriter, DeliveryStatus } from '../../stores/clickhouse/webhook-deliveries.ts';
import type { Clock } from '../runtime/stage.ts';
import type { WebhookDeliveryConfig } from './config.ts';
import type { Payload, WebhookType } from './payloads.ts';
import { BoundedQueue } from './queue.ts';
import { retryDelayMs } from './retry.ts';

export interface AttemptResult {
  readonly ok: boolean;
  /** 0 when the receiver did not answer */
  readonly statusCode: number;
  /** '' when ok */
  readonly error: string;
}

export interface Target {
  /** the webhook's id, or 'mqtt' */
  readonly id: string;
  /** where batches go (the webhook's URL, or the MQTT topic), for the log */
  readonly url: string;
  readonly maxBatchSize: number;
  readonly maxAttempts: number;
}

export interface DispatcherOptions {
  readonly target: Target;
  readonly type: WebhookType;
  readonly transport: 'http' | 'mqtt';
  readonly config: WebhookDeliveryConfig;
  /** one attempt; must not throw, must end when `signal` aborts */
  readonly send: (target: Target, body: string, signal: AbortSignal) => Promise<AttemptResult>;
  readonly deliveries: Pick<DeliveryLogWriter, 'record'>;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly newBatchId: () => string;
  /** counts outcomes (batches delivered, retried, failed; objects dropped): the stage's problem metric */
  readonly count?: (what: string, n?: number) => void;
  /** the pause between attempts, ending early when `signal` aborts; node:timers/promises by default (tests pass a fake) */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

const realSleep = (ms: number, signal: AbortSignal): Promise<void> => sleep(ms, undefined, { signal }).catch(() => undefined); // rejects only on abort

/** how often objects dropped from a full queue are reported (one log line and delivery-log row for all of them) */
const DROP_REPORT_MS = 5000;

export class Dispatcher {
  readonly #o: DispatcherOptions;
  #target: Target;
  readonly #queue: BoundedQueue<Payload>;
  readonly #stop = new AbortController();
  #wake: (() => void) | null = null;
  #dropped: string[] = [];
  #lastDropReport = Number.NEGATIVE_INFINITY;
  #dropTimer: NodeJS.Timeout | undefined;
  #sending = false;
  readonly #done: Promise<void>;

  constructor(options: DispatcherOptions) {
    this.#o = options;
    this.#target = options.target;
    this.#queue = new BoundedQueue(options.config.queue_limit);
    this.#done = this.#run().catch((err: unknown) => options.logger.error({ err, webhook: this.#target.id, type: options.type }, 'webhook dispatcher stopped on an error'));
  }

  get target(): Target {
    return this.#target;
  }

  /** objects waiting (not counting the batch being sent) */
  get pending(): number {
    return this.#queue.size;
  }

  /** whether nothing waits and nothing is being sent */
  get idle(): boolean {
    return this.#queue.size === 0 && !this.#sending;
  }

  /** Queues `payloads`; returns at once. A full queue drops its oldest objects (reported, see DROP_REPORT_MS). */
  offer(payloads: readonly Payload[]): void {
    if (payloads.length === 0 || this.#stop.signal.aborted) return;
    const now = this.#o.clock.now();
    const dropped = this.#queue.push(payloads, now);
    if (dropped.length > 0) {
      this.#dropped.push(...dropped.map((p) => p.id));
      const report = () => this.#reportDropped(this.#queueFull());
      const wait = this.#lastDropReport + DROP_REPORT_MS - now;
      if (wait <= 0) report();
      else this.#dropTimer ??= setTimeout(report, wait);
    }
    this.#wakeUp();
  }

  /** The webhook was changed (URL, batch size, attempts): the next batch and attempt use it. */
  update(target: Target): void {
    this.#target = target;
    this.#wakeUp();
  }

  /** Stops: an attempt in flight is aborted, and what was still waiting is logged as dropped with `reason`. */
  async close(reason: string): Promise<void> {
    if (!this.#stop.signal.aborted) this.#stop.abort();
    this.#wakeUp();
    await this.#done;
    this.#reportDropped(this.#queueFull()); // those pushed out earlier, under their own reason
    this.#dropped.push(...this.#queue.drain().map((p) => p.id));
    this.#reportDropped(reason);
  }

  #queueFull(): string {
    return `queue full (queue_limit ${this.#o.config.queue_limit})`;
  }

  #wakeUp(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }

  /** Resolves after `ms` (Infinity: never by time), on offer/update/close, whichever is first. */
  #wait(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = Number.isFinite(ms) ? setTimeout(() => this.#wakeUp(), Math.max(0, ms)) : undefined;
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  async #run(): Promise<void> {
    for (;;) {
      const batch = await this.#nextBatch();
      if (batch === null) return;
      this.#sending = true;
      try {
        await this.#deliver(batch);
      } finally {
        this.#sending = false;
      }
    }
  }

  async #nextBatch(): Promise<Payload[] | null> {
    const flushMs = this.#o.config.flush_interval_ms;
    for (;;) {
      if (this.#stop.signal.aborted) return null;
      const oldestAt = this.#queue.oldestAt;
      if (oldestAt === null) {
        await this.#wait(Number.POSITIVE_INFINITY);
        continue;
      }
      const waited = this.#o.clock.now() - oldestAt;
      if (this.#queue.size >= this.#target.maxBatchSize || waited >= flushMs) return this.#queue.take(this.#target.maxBatchSize);
      await this.#wait(flushMs - waited);
    }
  }

  async #deliver(batch: readonly Payload[]): Promise<void> {
    const { type, logger, clock } = this.#o;
    const batchId = this.#o.newBatchId();
    const ids = batch.map((p) => p.id);
    const body = JSON.stringify(batch);
    for (let attempt = 1; ; attempt++) {
      const target = this.#target;
      const startedAt = clock.now();
      const t0 = performance.now();
      const result = await this.#o.send(target, body, this.#stop.signal);
      const durationMs = performance.now() - t0;
      const stopped = this.#stop.signal.aborted;
      const last = attempt >= target.maxAttempts;
      const status: DeliveryStatus = result.ok ? 'delivered' : stopped ? 'dropped' : last ? 'failed' : 'retrying';
      this.#record(batchId, attempt, ids, startedAt, status, result, durationMs);
      const log = { webhook: target.id, type, batch: batchId, objects: ids.length, attempt, maxAttempts: target.maxAttempts };
      if (result.ok) {
        this.#o.count?.('notify_batches_delivered');
        logger.debug(log, 'webhook batch sent');
        return;
      }
      if (stopped) {
        this.#o.count?.('notify_objects_dropped', ids.length);
        logger.warn({ ...log, error: result.error }, 'webhook batch dropped: stopping while it was being sent');
        return;
      }
      if (last) {
        this.#o.count?.('notify_batches_failed');
        logger.error({ ...log, error: result.error }, 'webhook batch given up after its last attempt (delivery log status failed)');
        return;
      }
      const delay = retryDelayMs(attempt, this.#o.config);
      this.#o.count?.('notify_batches_retried');
      logger.warn({ ...log, error: result.error, nextAttemptMs: delay }, `error sending webhook: ${result.error}; attempt ${attempt} out of ${target.maxAttempts}, next in ${delay / 1000} s`);
      await (this.#o.sleep ?? realSleep)(delay, this.#stop.signal);
      if (this.#stop.signal.aborted) {
        this.#record(batchId, attempt, ids, clock.now(), 'dropped', { ok: false, statusCode: 0, error: 'stopped while waiting to retry' }, 0);
        this.#o.count?.('notify_objects_dropped', ids.length);
        return;
      }
    }
  }

  #reportDropped(reason: string): void {
    clearTimeout(this.#dropTimer);
    this.#dropTimer = undefined;
    const ids = this.#dropped;
    if (ids.length === 0) return;
    this.#dropped = [];
    const now = this.#o.clock.now();
    this.#lastDropReport = now;
    this.#o.count?.('notify_objects_dropped', ids.length);
    this.#o.logger.warn({ webhook: this.#target.id, type: this.#o.type, dropped: ids.length, reason }, 'webhook objects dropped without delivery (delivery log status dropped)');
    this.#record(this.#o.newBatchId(), 0, ids, now, 'dropped', { ok: false, statusCode: 0, error: reason }, 0);
  }

  #record(batchId: string, attempt: number, objectIds: readonly string[], ts: number, status: DeliveryStatus, r: AttemptResult, durationMs: number): void {
    this.#o.deliveries.record({
      batchId,
      webhookId: this.#target.id,
      attempt,
      type: this.#o.type,
      objectIds,
      ts,
      url: this.#target.url,
      statusCode: r.statusCode,
      status,
      error: r.error,
      durationMs,
      transport: this.#o.transport,
    });
  }
}
