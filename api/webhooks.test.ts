// /api/v1/webhooks through fastify.inject(): CRUD with FindFace's filters (PGlite), validation, URL policy,
// administrators only, and a webhook's delivery log from ClickHouse (chdb).
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeliveryLogWriter } from '../stores/clickhouse/webhook-deliveries.ts';
import { testApi, testStores, testUser, type TestStores } from './testing.ts';

const json = (r: { body: string }) => JSON.parse(r.body) as Record<string, unknown> & { error?: { code: string; field?: string; message: string } };

describe('API webhooks', () => {
  let stores: TestStores;
  let app: FastifyInstance;
  beforeAll(async () => {
    stores = await testStores();
    app = await testApi({ db: stores.db, clickhouse: stores.store.client, config: { allowed_networks: ['192.168.7.0/24'] } });
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await stores?.close();
  });

  it('creates, lists, changes and deletes a webhook with FindFace filters', async () => {
    const filters = { events: { matched: true, matched_lists_in: [1, 'vip'], confidence_gte: 0.8 }, episodes: { allowed_types: ['episode_close'] } };
    const created = await app.inject({ method: 'POST', url: '/api/v1/webhooks', payload: { name: 'siem', url: 'https://siem.example/hook', filters, max_batch_size: 50 } });
    expect(created.statusCode).toBe(201);
    const hook = json(created);
    expect(hook).toMatchObject({ name: 'siem', url: 'https://siem.example/hook', active: true, filters, max_batch_size: 50, max_attempts: 10, comment: '' });
    expect(hook['created_by']).toEqual(expect.any(Number));
    expect(json(await app.inject({ method: 'GET', url: `/api/v1/webhooks/${hook['id']}` }))).toEqual(hook);
    const patched = json(await app.inject({ method: 'PATCH', url: `/api/v1/webhooks/${hook['id']}`, payload: { active: false, max_attempts: 3 } }));
    expect(patched).toMatchObject({ active: false, max_attempts: 3, filters });
    const listed = json(await app.inject({ method: 'GET', url: '/api/v1/webhooks?active=false' }));
    expect((listed['results'] as Array<{ id: number }>).map((h) => h.id)).toEqual([hook['id']]);
    expect((await app.inject({ method: 'DELETE', url: `/api/v1/webhooks/${hook['id']}` })).statusCode).toBe(204);
    expect((await app.inject({ method: 'GET', url: `/api/v1/webhooks/${hook['id']}` })).statusCode).toBe(404);
  });

  it('refuses unknown filter names, bad sizes, non-http URLs and denied networks, naming the field', async () => {
    const post = (payload: Record<string, unknown>) => app.inject({ method: 'POST', url: '/api/v1/webhooks', payload: { name: `bad-${Math.random()}`, url: 'https://x.example/', ...payload } });
    const badFilter = await post({ filters: { events: { matched_list_in: [1] } } });
    expect(badFilter.statusCode).toBe(400);
    expect(badFilter.body).toMatch(/matched_list_in|additional/);
    expect((await post({ filters: { persons: {} } })).statusCode).toBe(400);
    expect((await post({ max_batch_size: 0 })).statusCode).toBe(400);
    const ftp = await post({ url: 'ftp://x.example/' });
    expect(ftp.statusCode).toBe(400);
    expect(json(ftp).error).toMatchObject({ field: 'url' });
    const loopback = await post({ url: 'http://127.0.0.1:9/hook' });
    expect(loopback.statusCode).toBe(400);
    expect(json(loopback).error).toMatchObject({ code: 'FS_ERR_URL_DENIED', field: 'url' });
    expect((await post({ url: 'http://192.168.7.20/hook' })).statusCode).toBe(201); // an allowed network
  });

  it('is for administrators only', async () => {
    const operator = await testUser(stores.db, { role: 'operator' });
    expect((await app.inject({ method: 'GET', url: '/api/v1/webhooks', headers: operator.headers })).statusCode).toBe(403);
  });

  it("serves a webhook's delivery log from ClickHouse, newest first, by status, in pages", async () => {
    const hook = json(await app.inject({ method: 'POST', url: '/api/v1/webhooks', payload: { name: 'logged', url: 'https://logged.example/' } }));
    const id = String(hook['id']);
    const writer = createDeliveryLogWriter({ client: stores.store.client, onError: (err) => Promise.reject(err) });
    const t = Date.now() - 10_000;
    const row = { webhookId: id, type: 'events', url: 'https://logged.example/', transport: 'http' as const, durationMs: 12 };
    writer.record({ ...row, batchId: 'b1', attempt: 1, objectIds: ['e1', 'e2'], ts: t, statusCode: 500, status: 'retrying', error: 'HTTP 500' });
    writer.record({ ...row, batchId: 'b1', attempt: 2, objectIds: ['e1', 'e2'], ts: t + 1000, statusCode: 200, status: 'delivered', error: '' });
    writer.record({ ...row, webhookId: 'other', batchId: 'b2', attempt: 1, objectIds: ['e3'], ts: t, statusCode: 200, status: 'delivered', error: '' });
    await writer.close();
    const all = json(await app.inject({ method: 'GET', url: `/api/v1/webhooks/${id}/deliveries` }));
    expect(all['results']).toEqual([
      expect.objectContaining({ batch: 'b1', attempt: 2, status: 'delivered', status_code: 200, count: 2, object_ids: ['e1', 'e2'], webhook_type: 'events', duration_ms: 12 }),
      expect.objectContaining({ batch: 'b1', attempt: 1, status: 'retrying', status_code: 500, error: 'HTTP 500', created_date: new Date(t).toISOString() }),
    ]);
    const retrying = json(await app.inject({ method: 'GET', url: `/api/v1/webhooks/${id}/deliveries?status=retrying` }));
    expect((retrying['results'] as Array<{ attempt: number }>).map((r) => r.attempt)).toEqual([1]);
    const first = json(await app.inject({ method: 'GET', url: `/api/v1/webhooks/${id}/deliveries?limit=1` }));
    const second = json(await app.inject({ method: 'GET', url: `/api/v1/webhooks/${id}/deliveries?limit=1&page=${encodeURIComponent(String(first['next_page']))}` }));
    expect([first, second].map((p) => (p['results'] as Array<{ attempt: number }>)[0]!.attempt)).toEqual([2, 1]);
    expect(second['next_page']).toBeNull();
    expect((await app.inject({ method: 'GET', url: '/api/v1/webhooks/999999/deliveries' })).statusCode).toBe(404);
  });
});
