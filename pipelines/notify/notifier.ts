// What the notify stages hand their records to: turns them into FindFace payloads, runs each active webhook's
// filters, and queues what passes on that webhook's dispatcher for the type (one Dispatcher per webhook and type,
// each with its own queue and loop); everything also goes to the MQTT output when one is configured. `offer*`
// never waits for a receiver. Webhooks are re-read every `refresh_interval_ms` (a short poll rather than
// LISTEN/NOTIFY: it works the same on a PostgreSQL server and on PGlite, and the table is a handful of rows); a
// webhook changed through the API applies to its next batch, one deactivated or deleted stops (what waited for
// it is logged as dropped).
import { randomUUID } from 'node:crypto';
import { Value } from '@sinclair/typebox/value';
import type { Logger } from 'pino';
import type { CounterRecord } from '../../schemas/generated/avro-types.ts';
import type { EpisodeChange, FaceEvent } from '../../schemas/records.ts';
import type { DeliveryLogWriter } from '../../stores/clickhouse/webhook-deliveries.ts';
import type { Webhook } from '../../stores/postgres/rows.ts';
import type { Clock } from '../runtime/stage.ts';
import type { DedupGroups } from '../dedup/groups.ts';
import type { NotifyConfig } from './config.ts';
import { Dispatcher, type AttemptResult, type Target } from './dispatcher.ts';
import { passes, WebhookFilters, wantsType } from './filters.ts';
import { postBatch } from './http.ts';
import type { MqttOutput } from './mqtt.ts';
import { counterPayload, episodePayload, eventPayload, type EventPayload, type GroupOf, type Payload, type WebhookType } from './payloads.ts';

export interface NotifierOptions {
  readonly config: NotifyConfig;
  readonly logger: Logger;
  readonly clock: Clock;
  /** the active webhooks (PostgreSQL's `webhooks`); absent = no webhooks, only the MQTT output */
  readonly loadWebhooks?: () => Promise<readonly Webhook[]>;
  readonly groupOf: GroupOf;
  /**
   * reads the group of a camera `groupOf` does not know (one added since the camera table was read) before its payloads
   * are made, so that a webhook filtering by camera group gets a new camera's first events; absent = groupOf alone
   */
  readonly resolveGroup?: (camera: string) => Promise<unknown>;
  readonly deliveries: Pick<DeliveryLogWriter, 'record'>;
  readonly mqtt?: MqttOutput;
  /**
   * FindFace's deny-networks, checked again before every POST (the API checked the URL when it was saved, but its
   * host may resolve elsewhere now); absent = not checked
   */
  readonly checkUrl?: (url: string) => Promise<{ readonly ok: true } | { readonly ok: false; readonly reason: string }>;
  /** one HTTP attempt; postBatch() by default */
  readonly post?: (url: string, body: string, timeoutMs: number, signal: AbortSignal) => Promise<AttemptResult>;
  /**
   * cameras whose group deduplicates events (docs/DEDUP.md): their events wait for the episode change that carries
   * the verdict (notify-episodes, same Notifier) and a duplicate is not sent; absent = every event goes at once
   */
  readonly dedupGroups?: DedupGroups;
  /** how long such an event waits for its verdict before it is sent anyway (no episodes stage upstream); 10 s */
  readonly dedupWaitMs?: number;
}

interface ActiveWebhook {
  readonly row: Webhook;
  /** null when the stored filters are not valid FindFace filters: nothing is sent until they are fixed */
  readonly filters: WebhookFilters | null;
  readonly dispatchers: Map<WebhookType, Dispatcher>;
}

/** how many recent events are kept so that an episode's payload carries its last event whole */
const RECENT_EVENTS = 10_000;
const DEDUP_WAIT_MS = 10_000;

/** Sets `key` in `map`, forgetting the oldest entry beyond RECENT_EVENTS. */
function bounded<V>(map: Map<string, V>, key: string, value: V): void {
  map.set(key, value);
  if (map.size > RECENT_EVENTS) map.delete(map.keys().next().value!);
}

const targetOf = (hook: Webhook): Target => ({ id: String(hook.id), url: hook.url, maxBatchSize: hook.max_batch_size, maxAttempts: hook.max_attempts });

export class Notifier {
  readonly #o: NotifierOptions;
  readonly #hooks = new Map<number, ActiveWebhook>();
  readonly #mqtt = new Map<WebhookType, Dispatcher>();
  readonly #recentEvents = new Map<string, EventPayload>();
  /** events of deduplicating groups waiting for their verdict, with the timer that sends them anyway */
  readonly #awaitingVerdict = new Map<string, { readonly payload: EventPayload; readonly timer: NodeJS.Timeout }>();
  /** verdicts whose event has not come (yet) */
  readonly #verdicts = new Map<string, string | null>();
  #count: (what: string, n?: number) => void = () => {};
  #timer: NodeJS.Timeout | undefined;
  #closing: Promise<void> | undefined;

  private constructor(options: NotifierOptions) {
    this.#o = options;
  }

  /** Reads the webhooks (failing if PostgreSQL does not answer), then every refresh_interval_ms. */
  static async start(options: NotifierOptions): Promise<Notifier> {
    const notifier = new Notifier(options);
    await notifier.refresh();
    if (options.loadWebhooks) {
      notifier.#timer = setInterval(
        () => void notifier.refresh().catch((err: unknown) => options.logger.warn({ err: (err as Error).message }, 'webhooks: re-reading them failed; keeping the last ones')),
        options.config.webhooks.refresh_interval_ms,
      );
      notifier.#timer.unref();
    }
    return notifier;
  }

  /** Where outcomes are counted (the stage's problem metric); set by the first stage that starts. */
  countWith(count: (what: string, n?: number) => void): void {
    this.#count = count;
  }

  /** the active webhooks' ids */
  get webhooks(): number[] {
    return [...this.#hooks.keys()];
  }

  /** whether every dispatcher has sent (or given up) everything it was handed */
  get idle(): boolean {
    return [...this.#mqtt.values(), ...[...this.#hooks.values()].flatMap((h) => [...h.dispatchers.values()])].every((d) => d.idle);
  }

  /** Resolves once every dispatcher is idle, or after `timeoutMs` (a receiver still being retried), whichever is first. */
  async drain(timeoutMs: number): Promise<boolean> {
    const until = performance.now() + timeoutMs;
    while (!this.idle) {
      if (performance.now() >= until) return false;
      await new Promise((r) => setTimeout(r, 20));
    }
    return true;
  }

  /** Learns the groups of the cameras of `cameras` that groupOf does not know yet (see resolveGroup). */
  async knowCameras(cameras: Iterable<string>): Promise<void> {
    const resolve = this.#o.resolveGroup;
    if (!resolve) return;
    await Promise.all([...new Set(cameras)].filter((c) => this.#o.groupOf(c) === undefined).map(resolve));
  }

  offerEvents(events: readonly FaceEvent[]): void {
    const payloads = events.map((e) => eventPayload(e, this.#o.groupOf));
    for (const p of payloads) this.#remember(p);
    const groups = this.#o.dedupGroups;
    const now: EventPayload[] = [];
    for (const p of payloads) {
      if (!groups || groups.forCamera(p.camera) === null) now.push(p);
      else if (this.#verdicts.has(p.id)) {
        // its change came first (two topics)
        if (this.#verdicts.get(p.id) === null) now.push(p);
        else this.#count('notify_duplicates_skipped');
        this.#verdicts.delete(p.id);
      } else {
        const timer = setTimeout(() => this.#verdict(p.id, null), this.#o.dedupWaitMs ?? DEDUP_WAIT_MS);
        timer.unref();
        this.#awaitingVerdict.set(p.id, { payload: p, timer });
      }
    }
    this.#offer('events', now);
  }

  /** An event's verdict: a waiting event is sent unless it is a duplicate; else the verdict waits for its event. */
  #verdict(eventId: string, duplicateOf: string | null): void {
    const waiting = this.#awaitingVerdict.get(eventId);
    if (!waiting) {
      if (this.#o.dedupGroups) bounded(this.#verdicts, eventId, duplicateOf);
      return;
    }
    this.#awaitingVerdict.delete(eventId);
    clearTimeout(waiting.timer);
    if (duplicateOf === null) this.#offer('events', [waiting.payload]);
    else this.#count('notify_duplicates_skipped');
  }

  offerEpisodes(changes: readonly EpisodeChange[]): void {
    for (const c of changes) if (c.eventId !== null) this.#verdict(c.eventId, c.duplicateOf);
    this.#offer(
      'episodes',
      changes.map((c) => {
        const last = c.eventId === null ? undefined : this.#recentEvents.get(c.eventId);
        const best = this.#recentEvents.get(c.bestEventId);
        return episodePayload(c, this.#o.groupOf, last, (last?.matched ? last : best)?.matched_lists ?? []);
      }),
    );
  }

  offerCounters(records: readonly CounterRecord[]): void {
    this.#offer('counters', records.map((r) => counterPayload(r, this.#o.groupOf)));
  }

  #remember(p: EventPayload): void {
    bounded(this.#recentEvents, p.id, p);
  }

  #offer(type: WebhookType, payloads: readonly Payload[]): void {
    if (payloads.length === 0) return;
    for (const hook of this.#hooks.values()) {
      if (hook.filters === null || !wantsType(hook.filters, type)) continue;
      const wanted = payloads.filter((p) => passes(hook.filters!, p));
      if (wanted.length > 0) this.#dispatcher(hook, type).offer(wanted);
    }
    if (this.#o.mqtt) this.#mqttDispatcher(type, this.#o.mqtt).offer(payloads);
  }

  #dispatcher(hook: ActiveWebhook, type: WebhookType): Dispatcher {
    let d = hook.dispatchers.get(type);
    if (!d) {
      const timeout = this.#o.config.webhooks.request_timeout_ms;
      const post = this.#o.post ?? postBatch;
      const check = this.#o.checkUrl;
      d = this.#newDispatcher(targetOf(hook.row), type, 'http', async (t, body, signal) => {
        const verdict = check ? await check(t.url) : { ok: true as const };
        return verdict.ok ? post(t.url, body, timeout, signal) : { ok: false, statusCode: 0, error: `url refused: ${verdict.reason}` };
      });
      hook.dispatchers.set(type, d);
    }
    return d;
  }

  #mqttDispatcher(type: WebhookType, mqtt: MqttOutput): Dispatcher {
    let d = this.#mqtt.get(type);
    if (!d) {
      const { mqtt: config, webhooks } = this.#o.config;
      // retried like a webhook; a broker away longer than the retries loses the batch to the delivery log (failed)
      const target: Target = { id: 'mqtt', url: mqtt.topicOf(type), maxBatchSize: config.max_batch_size, maxAttempts: 10 };
      d = this.#newDispatcher(target, type, 'mqtt', (t, body, signal) => mqtt.send(t, body, signal, webhooks.request_timeout_ms));
      this.#mqtt.set(type, d);
    }
    return d;
  }

  #newDispatcher(target: Target, type: WebhookType, transport: 'http' | 'mqtt', send: (t: Target, body: string, signal: AbortSignal) => Promise<AttemptResult>): Dispatcher {
    return new Dispatcher({
      target,
      type,
      transport,
      config: this.#o.config.webhooks,
      send,
      deliveries: this.#o.deliveries,
      logger: this.#o.logger,
      clock: this.#o.clock,
      newBatchId: randomUUID,
      count: (what, n) => this.#count(what, n),
    });
  }

  /** Re-reads the webhooks now. */
  async refresh(): Promise<void> {
    if (!this.#o.loadWebhooks || this.#closing) return;
    const rows = (await this.#o.loadWebhooks()).filter((h) => h.active);
    const seen = new Set<number>();
    for (const row of rows) {
      seen.add(row.id);
      const had = this.#hooks.get(row.id);
      if (had && had.row.modified_date.getTime() === row.modified_date.getTime()) continue;
      const filters = Value.Check(WebhookFilters, row.filters) ? (row.filters as WebhookFilters) : null;
      if (filters === null) this.#o.logger.error({ webhook: row.id, filters: row.filters }, 'webhook filters are not FindFace filters: nothing is sent to it until they are fixed');
      const dispatchers = had?.dispatchers ?? new Map<WebhookType, Dispatcher>();
      for (const d of dispatchers.values()) d.update(targetOf(row));
      this.#hooks.set(row.id, { row, filters, dispatchers });
      this.#o.logger.info({ webhook: row.id, name: row.name, url: row.url, filters: row.filters }, had ? 'webhook changed' : 'webhook active');
    }
    const gone = [...this.#hooks.entries()].filter(([id]) => !seen.has(id));
    for (const [id, hook] of gone) {
      this.#hooks.delete(id);
      this.#o.logger.info({ webhook: id }, 'webhook deactivated or deleted');
      await Promise.all([...hook.dispatchers.values()].map((d) => d.close('webhook deactivated or deleted')));
    }
  }

  /** Stops every dispatcher (what still waits is logged as dropped); safe to call twice. */
  close(): Promise<void> {
    return (this.#closing ??= (async () => {
      clearInterval(this.#timer);
      for (const { timer } of this.#awaitingVerdict.values()) clearTimeout(timer);
      const all = [...this.#mqtt.values(), ...[...this.#hooks.values()].flatMap((h) => [...h.dispatchers.values()])];
      await Promise.all(all.map((d) => d.close('stopped')));
    })());
  }
}
