import { Agent, request } from 'node:http';
import { pino } from 'pino';
import { Counter, Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { startMetricsServer, type MetricsServer } from './metrics-server.ts';

const logger = pino({ level: 'silent' });
const servers: MetricsServer[] = [];

async function start(ready?: () => boolean) {
  const registry = new Registry();
  const counter = new Counter({ name: 'facestream_test_records_total', help: 'records seen by the test', labelNames: ['stage'], registers: [registry] });
  const server = await startMetricsServer({ registry, port: 0, logger, ...(ready ? { ready } : {}) });
  servers.push(server);
  return { server, counter, registry };
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('startMetricsServer', () => {
  it('serves the registry as Prometheus text on GET /metrics', async () => {
    const { server, counter, registry } = await start();
    counter.inc({ stage: 'detect' }, 3);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect(server.port).toBeGreaterThan(0);
    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(registry.contentType);
    const text = await res.text();
    expect(text).toContain('# TYPE facestream_test_records_total counter');
    expect(text).toContain('facestream_test_records_total{stage="detect"} 3');
  });

  it('answers /healthz with 200 ok, or 503 while not ready', async () => {
    let ready = false;
    const { server } = await start(() => ready);
    const before = await fetch(`${server.url}/healthz`);
    expect(before.status).toBe(503);
    await before.text();
    ready = true;
    const after = await fetch(`${server.url}/healthz`);
    expect(after.status).toBe(200);
    expect(await after.text()).toBe('ok\n');
  });

  it('is ready without a ready() callback', async () => {
    const { server } = await start();
    const res = await fetch(`${server.url}/healthz?probe=1`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ok\n');
  });

  it('answers 404 elsewhere and 405 to other methods on its routes', async () => {
    const { server } = await start();
    const missing = await fetch(`${server.url}/`);
    expect(missing.status).toBe(404);
    await missing.text();
    const post = await fetch(`${server.url}/metrics`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    await post.text();
  });

  it('close() ends keep-alive connections and can be called twice', async () => {
    const { server } = await start();
    // a keep-alive connection left open, as a scraper would
    await new Promise<void>((resolve, reject) => {
      const req = request(`${server.url}/metrics`, { agent: new Agent({ keepAlive: true }) }, (res) => {
        res.resume();
        res.on('end', () => resolve());
      });
      req.on('error', reject);
      req.end();
    });
    await Promise.all([server.close(), server.close()]);
    await server.close();
    await expect(fetch(`${server.url}/metrics`)).rejects.toThrow();
  });

  it('refuses a port already taken', async () => {
    const { server } = await start();
    await expect(startMetricsServer({ registry: new Registry(), port: server.port, logger })).rejects.toThrow(/EADDRINUSE/);
  });
});

