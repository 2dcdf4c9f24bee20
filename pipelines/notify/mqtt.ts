// The MQTT output: the same JSON-array batches webhooks get, published to `<topic_prefix>/<type>` (events,
// episodes, counters) on one broker connection, through the same Dispatcher (queue, retries, delivery log under
// webhook id 'mqtt'). An attempt while the broker is unreachable fails at once instead of waiting in mqtt.js's own
// offline store, which has no bound: the dispatcher's bounded queue and retries decide what waits.
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { redactUrl } from '../../stores/clickhouse/client.ts';
import type { MqttOutputConfig } from './config.ts';
import type { AttemptResult, Target } from './dispatcher.ts';
import type { WebhookType } from './payloads.ts';

export interface MqttOutput {
  /** the broker, password hidden, for logs */
  readonly broker: string;
  topicOf(type: WebhookType): string;
  /** one publish of `body` to the target's topic (its `url`), acknowledged by the broker at the configured QoS */
  send(target: Target, body: string, signal: AbortSignal, timeoutMs: number): Promise<AttemptResult>;
  close(): Promise<void>;
}

export function openMqttOutput(config: MqttOutputConfig, logger: Logger): MqttOutput {
  const broker = redactUrl(config.url);
  const client: MqttClient = mqtt.connect(config.url, { reconnectPeriod: 1000, connectTimeout: 10_000, queueQoSZero: false });
  client.on('connect', () => logger.info({ broker }, 'mqtt output connected'));
  client.on('error', (err) => logger.warn({ broker, err: err.message }, 'mqtt output: connection error'));
  const prefix = config.topic_prefix.replace(/\/+$/, '');
  return {
    broker,
    topicOf: (type) => `${prefix}/${type}`,
    async send(target, body, signal, timeoutMs) {
      if (!client.connected) return { ok: false, statusCode: 0, error: 'mqtt broker not connected' };
      let timer: NodeJS.Timeout | undefined;
      let onAbort = () => {};
      const giveUp = new Promise<string>((resolve) => {
        timer = setTimeout(() => resolve(`no broker acknowledgement within ${timeoutMs} ms`), timeoutMs);
        onAbort = () => resolve('stopped');
        signal.addEventListener('abort', onAbort, { once: true });
      });
      try {
        const outcome = await Promise.race([client.publishAsync(target.url, body, { qos: config.qos }).then(() => ''), giveUp]);
        return { ok: outcome === '', statusCode: 0, error: outcome };
      } catch (err) {
        return { ok: false, statusCode: 0, error: (err as Error).message };
      } finally {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
      }
    },
    close: () => client.endAsync(),
  };
}
