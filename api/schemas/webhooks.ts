// Webhooks (FindFace /hooks/): where batches of events, episodes and counter records are POSTed, with FindFace's
// per-type filters (pipelines/notify/filters.ts, one schema for the API and the dispatcher) and the delivery log.
import { Type, type Static } from '@sinclair/typebox';
import { WebhookFilters } from '../../pipelines/notify/filters.ts';
import { DELIVERY_STATUSES } from '../../stores/clickhouse/webhook-deliveries.ts';
import { DateTime, Nullable, PageQuery, listOf } from './common.ts';

const fields = {
  name: Type.String({ minLength: 1, maxLength: 256, description: 'title' }),
  url: Type.String({ minLength: 1, maxLength: 2048, description: 'http(s) URL the JSON-array batches are POSTed to; the receiver must answer 2xx' }),
  active: Type.Boolean(),
  filters: WebhookFilters,
  max_batch_size: Type.Integer({ minimum: 1, maximum: 1000, description: 'most objects per POST (FindFace "max batch size")' }),
  max_attempts: Type.Integer({
    minimum: 1,
    maximum: 100,
    description: 'attempts per batch before it is given up (logged as failed); pauses grow exponentially up to 100 s (FindFace "max attempts")',
  }),
  comment: Type.String({ maxLength: 2048 }),
};

export const Webhook = Type.Object(
  { id: Type.Integer(), ...fields, created_by: Nullable(Type.Integer({ description: 'user id' })), created_date: DateTime(), modified_date: DateTime() },
  { $id: 'Webhook' },
);

export const WebhookCreate = Type.Object(
  {
    name: fields.name,
    url: fields.url,
    active: Type.Optional(fields.active),
    filters: Type.Optional(fields.filters),
    max_batch_size: Type.Optional(fields.max_batch_size),
    max_attempts: Type.Optional(fields.max_attempts),
    comment: Type.Optional(fields.comment),
  },
  { additionalProperties: false },
);
export type WebhookCreate = Static<typeof WebhookCreate>;

export const WebhookPatch = Type.Partial(WebhookCreate, { additionalProperties: false, minProperties: 1 });
export type WebhookPatch = Static<typeof WebhookPatch>;

export const WebhookQuery = Type.Object({ ...PageQuery, active: Type.Optional(Type.Boolean()) });
export type WebhookQuery = Static<typeof WebhookQuery>;

export const WebhookList = listOf(Type.Ref(Webhook), 'webhooks by id');

export const DeliveryStatus = Type.Union(
  DELIVERY_STATUSES.map((s) => Type.Literal(s)),
  { description: 'delivered (2xx) | retrying (failed, another attempt follows) | failed (last attempt failed) | dropped (never sent: queue full, webhook deactivated, shutdown)' },
);

export const DeliveryQuery = Type.Object({ ...PageQuery, status: Type.Optional(DeliveryStatus) });
export type DeliveryQuery = Static<typeof DeliveryQuery>;

export const Delivery = Type.Object({
  batch: Type.String({ description: 'batch id, the same over its attempts' }),
  attempt: Type.Integer({ description: '1-based; 0 for objects dropped before any attempt' }),
  webhook_type: Type.String({ description: 'events | episodes | counters' }),
  count: Type.Integer({ description: 'objects in the batch' }),
  object_ids: Type.Array(Type.String()),
  created_date: DateTime('when the attempt started'),
  url: Type.String(),
  status: DeliveryStatus,
  status_code: Type.Integer({ description: "the receiver's HTTP status; 0 when it did not answer" }),
  error: Type.String({ description: "why the attempt failed; '' when delivered" }),
  duration_ms: Type.Integer(),
});

export const DeliveryList = listOf(Delivery, "a webhook's delivery attempts, newest first");
