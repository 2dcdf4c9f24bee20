// serve delivers webhooks from its own pipeline: a webhook created through the API on serve's identity store
// (PGlite) receives the events of a file camera created through the API, as JSON arrays, and each delivery is in
// the webhook's delivery log (serve's chdb).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Receiver } from '../pipelines/notify/testing/receiver.ts';
import { DEMO_CLIP } from '../test/paths.ts';
import { startCamerasHarness, type CamerasHarness } from './serve-testing.ts';

let h: CamerasHarness;
let receiver: Receiver;
let base: string;

beforeAll(async () => {
  receiver = new Receiver();
  base = await receiver.listen();
  h = await startCamerasHarness({
    // the receiver is on loopback, which the deny-networks refuse unless allowed
    config: { api: { allowed_networks: ['127.0.0.0/8'] }, notify: { webhooks: { flush_interval_ms: 200, refresh_interval_ms: 200 } } },
    api: { config: { allowed_networks: ['127.0.0.0/8'] } },
  });
}, 90_000);

afterAll(async () => {
  await h?.close();
  await receiver?.close();
}, 30_000);

it('events of an API-created camera reach an API-created webhook, logged as delivered', async () => {
  const hook = await h.call<{ id: number }>('POST', '/api/v1/webhooks', { name: 'all events', url: `${base}/events`, filters: { events: {} }, max_batch_size: 5 });
  await new Promise((r) => setTimeout(r, 500)); // the notifier re-reads webhooks every 200 ms
  const camera = await h.call<{ id: number }>('POST', '/api/v1/cameras', { name: 'demo', url: `file://${DEMO_CLIP}` });

  let events: Array<{ id: string }> = [];
  for (let end = Date.now() + 60_000; Date.now() < end; await new Promise((r) => setTimeout(r, 500))) {
    events = (await h.call<{ results: Array<{ id: string }> }>('GET', `/api/v1/events?camera=${camera.id}&limit=1000`)).results;
    // the file is read (grey) and what was delivered is what was stored (sink and webhooks each lag a little)
    const delivered = new Set(receiver.bodies('/events').flat().map((e) => e.id));
    const done = h.cameras.manager.healths().get(String(camera.id))?.status === 'grey';
    if (done && events.length > 0 && delivered.size === events.length && events.every((e) => delivered.has(e.id))) break;
  }
  const delivered = receiver.bodies('/events');
  expect(events.length).toBeGreaterThan(0);
  expect(delivered.every((batch) => Array.isArray(batch) && batch.length >= 1 && batch.length <= 5)).toBe(true);
  expect(new Set(delivered.flat().map((e) => e.id))).toEqual(new Set(events.map((e) => e.id)));
  expect(delivered.flat().every((e) => e.webhook_type === 'events')).toBe(true);

  let log: Array<{ status: string }> = [];
  for (let end = Date.now() + 10_000; Date.now() < end && log.length < delivered.length; await new Promise((r) => setTimeout(r, 300))) {
    log = (await h.call<{ results: Array<{ status: string }> }>('GET', `/api/v1/webhooks/${hook.id}/deliveries?limit=100`)).results;
  }
  expect(log.length).toBe(delivered.length);
  expect(log.every((d) => d.status === 'delivered')).toBe(true);
});
