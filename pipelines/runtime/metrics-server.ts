// The HTTP endpoint a stage process serves for Prometheus: GET /metrics (text exposition of the process's registry)
// and GET /healthz (200 "ok", or 503 while the process says it is not ready). Two routes, so plain node:http.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';

export interface MetricsServerOptions {
  readonly registry: Registry;
  /** 0 = a free port (read it back from the result) */
  readonly port: number;
  /** default 127.0.0.1; '0.0.0.0' to let a Prometheus on another machine scrape it */
  readonly host?: string;
  readonly logger: Logger;
  /** /healthz answers 503 while this returns false; without it the process is ready once it listens */
  readonly ready?: () => boolean;
}

export interface MetricsServer {
  /** http://host:port, without a path */
  readonly url: string;
  readonly port: number;
  /** stops listening and ends open connections; safe to call twice */
  close(): Promise<void>;
}

const TEXT = 'text/plain; charset=utf-8';

function send(res: ServerResponse, status: number, contentType: string, body: string, head: boolean): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(head ? undefined : body);
}

export async function startMetricsServer(opts: MetricsServerOptions): Promise<MetricsServer> {
  const host = opts.host ?? '127.0.0.1';
  const { registry, logger } = opts;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const route = path === '/metrics' || path === '/healthz' ? path : undefined;
    if (!route) return send(res, 404, TEXT, 'not found\n', false);
    const head = req.method === 'HEAD';
    if (req.method !== 'GET' && !head) {
      res.setHeader('allow', 'GET, HEAD');
      return send(res, 405, TEXT, 'method not allowed\n', false);
    }
    if (route === '/healthz') {
      const ready = opts.ready ? opts.ready() : true;
      return send(res, ready ? 200 : 503, TEXT, ready ? 'ok\n' : 'not ready\n', head);
    }
    send(res, 200, registry.contentType, await registry.metrics(), head);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      logger.error({ err }, 'metrics endpoint failed to answer');
      if (!res.headersSent) send(res, 500, TEXT, 'internal error\n', false);
      else res.destroy();
    });
  });
  // Scrapes come every few seconds; keep-alive sockets must not hold close() up.
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen(opts.port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  server.on('error', (err) => logger.error({ err }, 'metrics endpoint error'));

  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  logger.info({ url: `${url}/metrics` }, 'metrics endpoint listening');

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
