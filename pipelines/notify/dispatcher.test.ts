// The Dispatcher's memory bound and shutdown: a receiver that never answers holds one batch in flight, the queue
// keeps at most queue_limit objects, and everything pushed out or left at close is in the delivery log as dropped.
import { Value } from '@sinclair/typebox/value';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { testEvent } from '../../stores/clickhouse/test-events.ts';
import type { WebhookDelivery } from '../../stores/clickhouse/webhook-deliveries.ts';
import { systemClock } from '../runtime/stage.ts';
import { NotifyConfig } from './config.ts';
import { Dispatcher, type AttemptResult } from './dispatcher.ts';
import { eventPayload } from './payloads.ts';

describe('Dispatcher', () => {
  it('keeps at most queue_limit objects behind a receiver that never answers; drops the oldest, logged, and the rest at close', async () => {
    const config = Value.Parse(NotifyConfig, { webhooks: { queue_limit: 5, flush_interval_ms: 0 } });
    const deliveries: WebhookDelivery[] = [];
    const counts = new Map<string, number>();
    let attempts = 0;
    // never answers until the dispatcher stops
    const send = (_t: unknown, _b: string, signal: AbortSignal) =>
      new Promise<AttemptResult>((resolve) => {
        attempts++;
        signal.addEventListener('abort', () => resolve({ ok: false, statusCode: 0, error: 'stopped' }), { once: true });
      });
    const d = new Dispatcher({
      target: { id: '9', url: 'http://receiver.example/', maxBatchSize: 2, maxAttempts: 3 },
      type: 'events',
      transport: 'http',
      config: config.webhooks,
      send,
      deliveries: { record: (r) => deliveries.push(r) },
      logger: pino({ level: 'silent' }),
      clock: systemClock,
      newBatchId: (() => {
        let n = 0;
        return () => `b${++n}`;
      })(),
      count: (what, n = 1) => counts.set(what, (counts.get(what) ?? 0) + n),
    });
    const now = Date.now();
    const payload = (i: number) => eventPayload(testEvent({ id: `e${i}`, ts: now }), () => undefined);
    d.offer([payload(0), payload(1)]);
    while (attempts === 0) await new Promise((r) => setTimeout(r, 5));
    for (let i = 2; i < 22; i++) d.offer([payload(i)]);
    expect(d.pending).toBe(5); // e17 … e21; e2 … e16 were pushed out
    await d.close('stopped');
    const dropped = deliveries.filter((r) => r.status === 'dropped');
    expect(dropped.flatMap((r) => r.objectIds).sort()).toEqual(Array.from({ length: 22 }, (_, i) => `e${i}`).sort());
    // the first drop is reported at once, later ones together (at most one row and log line per 5 s, or at close)
    const full = dropped.filter((r) => r.error.startsWith('queue full'));
    expect(full.map((r) => r.objectIds.length)).toEqual([1, 14]);
    expect(full.flatMap((r) => r.objectIds)).toEqual(Array.from({ length: 15 }, (_, i) => `e${i + 2}`));
    expect(dropped.find((r) => r.batchId === 'b1')).toMatchObject({ attempt: 1, objectIds: ['e0', 'e1'] }); // the batch in flight
    expect(counts.get('notify_objects_dropped')).toBe(22);
    expect(attempts).toBe(1);
  });
});

describe('Dispatcher retries (fake clock)', () => {
  it('pauses 0.729 s, 1.968 s, 5.314 s … at most 100 s between the attempts of one batch, then logs it as failed', async () => {
    const config = Value.Parse(NotifyConfig, { webhooks: { flush_interval_ms: 0 } });
    let now = 1_000_000;
    const pauses: number[] = [];
    const deliveries: WebhookDelivery[] = [];
    const d = new Dispatcher({
      target: { id: '3', url: 'http://receiver.example/', maxBatchSize: 10, maxAttempts: 10 },
      type: 'events',
      transport: 'http',
      config: config.webhooks,
      send: async () => ({ ok: false, statusCode: 503, error: 'HTTP 503' }),
      deliveries: { record: (r) => deliveries.push(r) },
      logger: pino({ level: 'silent' }),
      clock: { now: () => now },
      newBatchId: () => 'b',
      // the fake clock: a pause moves it on at once
      sleep: async (ms) => {
        pauses.push(ms);
        now += ms;
      },
    });
    d.offer([eventPayload(testEvent({ id: 'x', ts: now }), () => undefined)]);
    while (deliveries.length < 10) await new Promise((r) => setTimeout(r, 1));
    expect(pauses).toEqual([729, 1968, 5314, 14349, 38742, 100_000, 100_000, 100_000, 100_000]);
    expect(deliveries.map((r) => r.status)).toEqual([...Array<string>(9).fill('retrying'), 'failed']);
    // each attempt starts after the pause before it, on the dispatcher's clock
    expect(deliveries.slice(1).map((r, i) => r.ts - deliveries[i]!.ts)).toEqual(pauses);
    await d.close('stopped');
  });
});
