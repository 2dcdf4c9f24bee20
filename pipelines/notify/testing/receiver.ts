// A webhook receiver for tests (node:http on loopback) that fails on purpose: per path, the test scripts the
// answer to each hit (a status code, or 'hang': never answers), the last answer repeating; unscripted paths get 200.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  readonly path: string;
  readonly at: number;
  readonly contentType: string | undefined;
  readonly body: Array<{ id: string; webhook_type: string }>;
}

/** A receiver whose answer per path is decided by the test: a status code, or 'hang' (never answers). */
export class Receiver {
  readonly received: Received[] = [];
  readonly hits = new Map<string, number>();
  readonly script = new Map<string, Array<number | 'hang'>>();
  readonly #server: Server;
  readonly #hanging: ServerResponse[] = [];
  constructor() {
    this.#server = createServer((req, res) => void this.#handle(req, res));
  }
  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const path = req.url ?? '/';
    const n = (this.hits.get(path) ?? 0) + 1;
    this.hits.set(path, n);
    const answers = this.script.get(path) ?? [];
    const answer = answers[Math.min(n, answers.length) - 1] ?? 200;
    if (answer === 'hang') {
      this.#hanging.push(res);
      return;
    }
    if (answer === 200) this.received.push({ path, at: performance.now(), contentType: req.headers['content-type'], body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
    res.writeHead(answer).end();
  }
  async listen(): Promise<string> {
    this.#server.listen(0, '127.0.0.1');
    await once(this.#server, 'listening');
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }
  bodies(path: string): Array<Array<{ id: string; webhook_type: string }>> {
    return this.received.filter((r) => r.path === path).map((r) => r.body);
  }
  async close(): Promise<void> {
    for (const res of this.#hanging) res.destroy();
    this.#server.closeAllConnections();
    this.#server.close();
  }
}
