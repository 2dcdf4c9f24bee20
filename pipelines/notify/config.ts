// Configuration of the notify stages (`notify` in the one configuration): how webhooks are delivered and where the
// MQTT output publishes. The webhooks themselves (url, filters, max batch size, max attempts) are rows of
// PostgreSQL's `webhooks` table, managed through /api/v1/webhooks like FindFace's /hooks/.
import { Type, type Static } from '@sinclair/typebox';

const strict = { additionalProperties: false } as const;

export const WebhookDeliveryConfig = Type.Object(
  {
    request_timeout_ms: Type.Integer({ default: 10_000, minimum: 100, description: 'a POST to a webhook that has not answered after this long is aborted and counts as a failed attempt' }),
    retry_initial_delay_ms: Type.Integer({ default: 729, minimum: 1, description: 'pause after the first failed attempt (FindFace logs "Next attempt in 0.729 seconds" after attempt 1)' }),
    retry_multiplier: Type.Number({ default: 2.7, minimum: 1, description: 'each further pause is this many times the last (FindFace\'s log: 0.729 s, 1.968 s, 5.314 s)' }),
    retry_max_delay_ms: Type.Integer({ default: 100_000, minimum: 1, description: 'pauses between attempts grow to at most this (FindFace: "increases exponentially with a maximum of 100 seconds")' }),
    flush_interval_ms: Type.Integer({ default: 1000, minimum: 0, description: 'a batch smaller than the webhook\'s max batch size is sent at the latest this long after its first object arrived' }),
    queue_limit: Type.Integer({
      default: 10_000,
      minimum: 1,
      description: 'objects waiting per webhook and type; beyond it the oldest are dropped, counted in the log and the delivery log (status `dropped`), so a dead receiver never holds memory nor delays the pipeline',
    }),
    refresh_interval_ms: Type.Integer({ default: 5000, minimum: 100, description: 'how often the webhooks are re-read from PostgreSQL (a change through the API applies within this)' }),
  },
  { ...strict, default: {} },
);
export type WebhookDeliveryConfig = Static<typeof WebhookDeliveryConfig>;

export const MqttOutputConfig = Type.Object(
  {
    url: Type.String({ default: '', description: 'MQTT broker, e.g. mqtt://user:pass@broker:1883; empty = no MQTT output', examples: ['mqtt://127.0.0.1:1883'] }),
    topic_prefix: Type.String({ default: 'facestream', description: 'batches go to `<topic_prefix>/events`, `<topic_prefix>/episodes` and `<topic_prefix>/counters`' }),
    qos: Type.Union([Type.Literal(0), Type.Literal(1), Type.Literal(2)], { default: 1, description: 'MQTT quality of service of every publish' }),
    max_batch_size: Type.Integer({ default: 100, minimum: 1, maximum: 1000, description: 'objects per published JSON array' }),
  },
  { ...strict, default: {} },
);
export type MqttOutputConfig = Static<typeof MqttOutputConfig>;

export const NotifyConfig = Type.Object(
  {
    webhooks: WebhookDeliveryConfig,
    mqtt: MqttOutputConfig,
  },
  { ...strict, default: {} },
);
export type NotifyConfig = Static<typeof NotifyConfig>;
