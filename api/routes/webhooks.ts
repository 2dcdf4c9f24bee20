// /api/v1/webhooks: FindFace's /hooks/ (administrators), and each webhook's delivery log from ClickHouse. The
// notify stages re-read the webhooks every notify.webhooks.refresh_interval_ms, so a change applies without restart.
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { queryWebhookDeliveries } from '../../stores/clickhouse/webhook-deliveries.ts';
import { createWebhook, deleteWebhook, getWebhook, listWebhooks, updateWebhook } from '../../stores/postgres/repositories/webhooks.ts';
import { principalOf } from '../auth/principal.ts';
import { ApiError, notFound } from '../errors.ts';
import { idPage, pageResult } from '../pagination.ts';
import { IdParams, errors } from '../schemas/common.ts';
import { DeliveryList, DeliveryQuery, Webhook, WebhookCreate, WebhookList, WebhookPatch, WebhookQuery } from '../schemas/webhooks.ts';

const tags = ['webhooks'];

export async function webhookRoutes(app: FastifyInstance): Promise<void> {
  /** http(s) only, and not into a denied network (FindFace's deny-networks, api.allowed_networks) */
  async function checkUrl(url: string | undefined): Promise<void> {
    if (url === undefined) return;
    const scheme = URL.canParse(url) ? new URL(url).protocol : '';
    if (scheme !== 'http:' && scheme !== 'https:') throw new ApiError('FS_ERR_VALIDATION', 'url: an http:// or https:// URL', 'url');
    const verdict = await app.checkUrl(url);
    if (!verdict.ok) throw new ApiError('FS_ERR_URL_DENIED', `url: ${verdict.reason}`, 'url', 'denied_network');
  }

  app.post<{ Body: WebhookCreate }>(
    '',
    { schema: { tags, summary: 'Create a webhook', body: WebhookCreate, response: { 201: Type.Ref(Webhook), ...errors(409) } } },
    async (req, reply) => {
      await checkUrl(req.body.url);
      const hook = await createWebhook(app.db, { ...req.body, created_by: principalOf(req).user.id });
      return reply.status(201).send(hook);
    },
  );

  app.get<{ Querystring: WebhookQuery }>(
    '',
    { schema: { tags, summary: 'List webhooks', querystring: WebhookQuery, response: { 200: WebhookList, ...errors() } } },
    async (req) => pageResult(await listWebhooks(app.db, { ...idPage(req.query), ...(req.query.active !== undefined ? { active: req.query.active } : {}) }), req.query),
  );

  app.get<{ Params: IdParams }>(
    '/:id',
    { schema: { tags, summary: 'Get a webhook', params: IdParams, response: { 200: Type.Ref(Webhook), ...errors(404) } } },
    async (req) => (await getWebhook(app.db, req.params.id)) ?? Promise.reject(notFound('webhook', req.params.id)),
  );

  app.patch<{ Params: IdParams; Body: WebhookPatch }>(
    '/:id',
    { schema: { tags, summary: 'Change a webhook', params: IdParams, body: WebhookPatch, response: { 200: Type.Ref(Webhook), ...errors(404, 409) } } },
    async (req) => {
      await checkUrl(req.body.url);
      return (await updateWebhook(app.db, req.params.id, req.body)) ?? Promise.reject(notFound('webhook', req.params.id));
    },
  );

  app.delete<{ Params: IdParams }>(
    '/:id',
    { schema: { tags, summary: 'Delete a webhook', params: IdParams, response: { 204: Type.Null({ description: 'deleted' }), ...errors(404) } } },
    async (req, reply) => {
      if (!(await deleteWebhook(app.db, req.params.id))) throw notFound('webhook', req.params.id);
      return reply.status(204).send();
    },
  );

  app.get<{ Params: IdParams; Querystring: DeliveryQuery }>(
    '/:id/deliveries',
    {
      schema: {
        tags,
        summary: "A webhook's delivery log",
        description: 'One row per batch and attempt, newest first; follow `next_page` with `page`. Kept `stores.clickhouse.retention.webhook_deliveries_days`.',
        params: IdParams,
        querystring: DeliveryQuery,
        response: { 200: DeliveryList, ...errors(404) },
      },
    },
    async (req) => {
      if (!(await getWebhook(app.db, req.params.id))) throw notFound('webhook', req.params.id);
      const page = await queryWebhookDeliveries(app.clickhouse, {
        webhookId: String(req.params.id),
        limit: req.query.limit ?? 100,
        cursor: req.query.page ?? null,
        ...(req.query.status !== undefined ? { status: req.query.status } : {}),
      });
      return {
        results: page.deliveries.map((d) => ({
          batch: d.batchId,
          attempt: d.attempt,
          webhook_type: d.type,
          count: d.objectIds.length,
          object_ids: d.objectIds,
          created_date: new Date(d.ts).toISOString(),
          url: d.url,
          status: d.status,
          status_code: d.statusCode,
          error: d.error,
          duration_ms: d.durationMs,
        })),
        next_page: page.nextCursor,
      };
    },
  );
}
