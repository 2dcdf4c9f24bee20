// Liveness, readiness and Prometheus metrics. Every app has its own registry (several apps in one test process).
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { ApiError } from '../errors.ts';
import { errors } from '../schemas/common.ts';

const tags = ['operations'];

/** `more`: metrics served beside the API's own (the pipeline's, in serve) */
export async function registerOperations(app: FastifyInstance, more?: Registry): Promise<void> {
  const own = new Registry();
  collectDefaultMetrics({ register: own, prefix: 'facestream_api_' });
  const duration = new Histogram({
    name: 'facestream_api_request_duration_seconds',
    help: 'API requests by route, method and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [own],
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    duration.labels(request.method, route, String(reply.statusCode)).observe(reply.elapsedTime / 1000);
  });

  app.get(
    '/healthz',
    { schema: { tags, security: [], summary: 'The process is up', response: { 200: Type.Object({ status: Type.Literal('ok') }) } } },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        tags,
        security: [],
        summary: 'The stores answer',
        response: { 200: Type.Object({ status: Type.Literal('ready'), postgres: Type.Literal('ok'), clickhouse: Type.Literal('ok') }), ...errors(503) },
      },
    },
    async (request) => {
      try {
        await app.db.query('SELECT 1');
      } catch (err) {
        request.log.warn({ err }, 'readiness: PostgreSQL does not answer');
        throw new ApiError('FS_ERR_NOT_READY', 'the identity store (PostgreSQL) does not answer');
      }
      const ping = await app.clickhouse.ping();
      if (!ping.success) {
        request.log.warn({ err: ping.error }, 'readiness: ClickHouse does not answer');
        throw new ApiError('FS_ERR_NOT_READY', 'the analytics store (ClickHouse) does not answer');
      }
      return { status: 'ready' as const, postgres: 'ok' as const, clickhouse: 'ok' as const };
    },
  );

  app.get(
    '/metrics',
    {
      schema: {
        tags,
        security: [],
        summary: 'Prometheus metrics',
        produces: ['text/plain'],
        response: { 200: Type.String({ description: 'Prometheus text exposition format' }) },
      },
    },
    async (_request, reply) => reply.type(own.contentType).send((await own.metrics()) + (more ? await more.metrics() : '')),
  );
}
