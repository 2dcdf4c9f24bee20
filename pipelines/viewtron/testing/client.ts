// Posting to the receiver the way devices do: HTTP/1.1 over one kept-alive connection (IPC), or a raw request
// with an absolute URL in the request line (NVR, VIEWTRON.md §1.2).
import { Agent, request } from 'node:http';
import { connect } from 'node:net';

export interface Answer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

/** One kept-alive connection, as a camera holds between heartbeats. */
export const deviceAgent = () => new Agent({ keepAlive: true, maxSockets: 1 });

/** `chunked`: sent with Transfer-Encoding: chunked in two pieces instead of a Content-Length. */
export function push(port: number, body: string, opts: { path?: string; method?: string; agent?: Agent; contentType?: string; chunked?: boolean } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: opts.path ?? '/API',
        method: opts.method ?? 'POST',
        agent: opts.agent ?? false,
        headers: { 'Content-Type': opts.contentType ?? 'application/xml; charset=utf-8', ...(opts.chunked ? {} : { 'Content-Length': Buffer.byteLength(body) }) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type']), body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    // an oversized body may be cut off by the receiver once it has answered
    req.on('error', reject);
    if (opts.chunked) req.write(body.slice(0, body.length >> 1));
    req.end(opts.chunked ? body.slice(body.length >> 1) : body);
  });
}

/** An NVR's request: absolute-form request line, SOAP content type, Connection: close. Resolves with the raw response. */
export function nvrPush(port: number, body: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(
        `POST http://127.0.0.1:${port}/API HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/soap+xml; charset=utf-8\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    });
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.on('error', reject);
  });
}
