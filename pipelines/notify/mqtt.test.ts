// The MQTT output against a real broker (Debian's mosquitto on loopback) and a real subscriber.
import mqtt from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/load.ts';
import type { FacestreamConfig } from '../../config/schema.ts';
import { testEvent } from '../../stores/clickhouse/test-events.ts';
import type { WebhookDelivery } from '../../stores/clickhouse/webhook-deliveries.ts';
import { startMosquitto, type Mosquitto } from '../../test/support/mosquitto.ts';
import { systemClock } from '../runtime/stage.ts';
import { openMqttOutput, type MqttOutput } from './mqtt.ts';
import { Notifier } from './notifier.ts';

async function until(what: string, done: () => boolean, timeoutMs = 15_000): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('MQTT output', () => {
  let broker: Mosquitto;
  let config: Readonly<FacestreamConfig>;
  const logger = pino({ level: 'silent' });

  beforeAll(async () => {
    broker = await startMosquitto();
    config = await loadConfig(
      undefined,
      { notify: { mqtt: { url: broker.url, topic_prefix: 'site-a/facestream', max_batch_size: 3 }, webhooks: { flush_interval_ms: 100, retry_initial_delay_ms: 100 } } },
      {},
    );
  }, 300_000);

  afterAll(async () => {
    await broker?.stop();
  });

  it('publishes the webhook payloads as JSON arrays to <topic_prefix>/<type>, received by a subscriber', async () => {
    const subscriber = await mqtt.connectAsync(broker.url);
    const received: Array<{ topic: string; body: Array<{ id: string; webhook_type: string; event_type: string }> }> = [];
    subscriber.on('message', (topic, payload) => received.push({ topic, body: JSON.parse(payload.toString('utf8')) }));
    await subscriber.subscribeAsync('site-a/facestream/#', { qos: 1 });
    const deliveries: WebhookDelivery[] = [];
    let output: MqttOutput | undefined;
    let notifier: Notifier | undefined;
    try {
      output = openMqttOutput(config.notify.mqtt, logger);
      notifier = await Notifier.start({ config: config.notify, logger, clock: systemClock, groupOf: () => undefined, deliveries: { record: (d) => deliveries.push(d) }, mqtt: output });
      const now = Date.now();
      notifier.offerEvents(['q1', 'q2', 'q3', 'q4'].map((id) => testEvent({ id, ts: now })));
      notifier.offerEpisodes([
        { kind: 'open', episodeId: 'ep-q', scope: 's', eventId: 'q1', duplicateOf: null, bestEventId: 'q1', eventsCount: 1, dossier: null, cameras: ['cam-1'], startTs: now, endTs: now, startT: 0, endT: 0 },
      ]);
      await until('5 objects', () => received.flatMap((r) => r.body).length === 5);
      const events = received.filter((r) => r.topic === 'site-a/facestream/events');
      // batches of at most 3, in order; an attempt before the connection is up fails and is retried
      expect(events.map((r) => r.body.length).every((n) => n <= 3)).toBe(true);
      expect(events.flatMap((r) => r.body.map((e) => e.id))).toEqual(['q1', 'q2', 'q3', 'q4']);
      expect(events.flatMap((r) => r.body).every((e) => e.webhook_type === 'events' && e.event_type === 'event_created')).toBe(true);
      const episodes = received.filter((r) => r.topic === 'site-a/facestream/episodes');
      expect(episodes.map((r) => r.body.map((e) => [e.id, e.event_type]))).toEqual([[['ep-q', 'episode_open']]]);
      await until('delivery rows', () => deliveries.filter((d) => d.status === 'delivered').length === events.length + 1);
      expect(deliveries.every((d) => d.webhookId === 'mqtt' && d.transport === 'mqtt')).toBe(true);
    } finally {
      await notifier?.close();
      await output?.close();
      await subscriber.endAsync();
    }
  });
});
