// The Viewtron receiver as a source stage: an HTTP/1.1 listener (node:http — NVRs send an absolute URL in the
// request line, which a router would not match) that turns face pushes into face posts for the embed stage.
// Every push is answered: 200 with the exact success document the devices expect (VIEWTRON.md §1.3) once its posts
// are safely handed on (acknowledged by the Kafka broker, or taken by the in-process queue), or set aside
// (keepalives, alarm status, traject, other event kinds); a push that cannot be used gets a 4xx with the reason,
// also logged, and nothing of it goes downstream. A push whose posts could not be handed on in time gets the failure
// reply, so the device retries rather than the faces being lost. Persistent connections stay open between
// heartbeats (Node's 5 s default would drop them).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FaceModels } from '../../models/face-models.types.ts';
import type { FacePost } from '../../schemas/records.ts';
import type { FrameStore } from '../../stores/frames/local-frame-store.ts';
import { Mutex } from '../runtime/mutex.ts';
import type { Source, StageContext } from '../runtime/stage.ts';
import { cameraIdOf, deviceKey, deviceOf } from './camera-id.ts';
import type { ViewtronConfig } from './config.ts';
import { facePostsOf } from './face-posts.ts';
import { parsePush, ViewtronPushError, type FacePush } from './parse.ts';

/** VIEWTRON.md §1.3: the body every SDK answers every push with. */
export const SUCCESS_BODY = '<?xml version="1.0" encoding="UTF-8"?><config version="1.0" xmlns="http://www.ipc.com/ver10"><status>success</status></config>';

/**
 * The failure reply: the vendor documents only the success answer, and says cameras that do not get it "disconnect
 * and retry" (VIEWTRON.md §1.3): so a 5xx, the connection closed, and a document whose status is not success.
 */
export const FAILURE_BODY = '<?xml version="1.0" encoding="UTF-8"?><config version="1.0" xmlns="http://www.ipc.com/ver10"><status>failed</status></config>';

export const VIEWTRON_COUNTERS = ['pushes_face', 'pushes_keepalive', 'pushes_set_aside', 'pushes_refused', 'pushes_failed', 'faces_posted', 'faces_not_found'] as const;

export interface ViewtronSourceOptions {
  readonly config: ViewtronConfig;
  readonly models: Pick<FaceModels, 'detect'>;
  /** where pushed full frames are kept as the events' evidence (frame_store.dir); none: not kept */
  readonly frameStore?: FrameStore | undefined;
  readonly name?: string;
}

export interface ViewtronSource extends Source<FacePost> {
  /** where the receiver listens, once it does (port 0 in the config: the port it got) */
  readonly listening: Promise<AddressInfo>;
}

/** The push's posts were not handed on within viewtron.handoff_timeout_ms (or handing them on failed). */
class HandoffFailed extends Error {}

class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The body, or a 413 Refusal past `limit` bytes: reading stops there (not destroyed, so the 413 still goes out). */
function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) return Promise.reject(new Refusal(413, 'too_large', `body of ${declared} bytes is over viewtron.body_limit_bytes (${limit})`));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      req.off('data', onData).pause();
      reject(new Refusal(413, 'too_large', `body is over viewtron.body_limit_bytes (${limit})`));
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    // the device went away mid-body: nothing to post, and no one to answer
    req.once('error', (err) => reject(new Refusal(400, 'aborted', `the request broke off: ${err.message}`)));
  });
}

function answer(res: ServerResponse, status: number, contentType: string, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

/** Settles with `work`, or rejects with HandoffFailed after `ms` (work goes on: what it hands on later is a duplicate of the retried push, with the same event ids). */
async function within(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new HandoffFailed(`the faces were not handed on within viewtron.handoff_timeout_ms (${ms} ms)`)), ms);
  });
  try {
    await Promise.race([work.catch((err: unknown) => Promise.reject(new HandoffFailed(`handing the faces on failed: ${(err as Error).message}`))), late]);
  } finally {
    clearTimeout(timer);
  }
}

export function createViewtronSource(options: ViewtronSourceOptions): ViewtronSource {
  const { config, models, frameStore } = options;
  let resolveListening!: (a: AddressInfo) => void;
  let rejectListening!: (e: Error) => void;
  const listening = new Promise<AddressInfo>((resolve, reject) => {
    resolveListening = resolve;
    rejectListening = reject;
  });
  listening.catch(() => undefined);
  // a push's posts go downstream together, never interleaved with another push's
  const forwarding = new Mutex();
  const seen = new Set<string>();

  async function facePush(push: FacePush, peer: string, ctx: StageContext<FacePost>): Promise<void> {
    const key = deviceKey(push.device, push.format, peer);
    const camera = cameraIdOf(key, config);
    if (camera === undefined) throw new Refusal(403, 'unknown_device', `device ${key} is not in viewtron.camera_ids`);
    const { posts, notFound } = await facePostsOf(push, { camera, receivedMs: ctx.clock.now(), config, models, ...(frameStore ? { frameStore } : {}) });
    if (notFound > 0) ctx.logger.info({ camera, device: key, smartType: push.smartType, notFound }, 'viewtron push: a pushed face was not found again by the detector; nothing posted for it');
    await within(
      forwarding.run(async () => {
        for (const post of posts) await ctx.forward(post);
      }),
      config.handoff_timeout_ms,
    );
    ctx.count('pushes_face');
    ctx.count('faces_posted', posts.length);
    ctx.count('faces_not_found', notFound);
  }

  async function handle(req: IncomingMessage, res: ServerResponse, ctx: StageContext<FacePost>): Promise<void> {
    const peer = req.socket.remoteAddress ?? '';
    try {
      // an NVR's request line is absolute-form (POST http://host:port/API): compare the path only
      const path = new URL(req.url ?? '/', 'http://receiver').pathname;
      if (config.path !== '' && path !== config.path) throw new Refusal(404, 'wrong_path', `path ${path} is not viewtron.path (${config.path})`);
      if (req.method === 'GET') return answer(res, 200, 'text/plain; charset=utf-8', 'facestream viewtron receiver\n');
      if (req.method !== 'POST') throw new Refusal(405, 'method', `method ${req.method} is not POST`);
      const push = parsePush(await readBody(req, config.body_limit_bytes));
      // the SDKs' on_connect: one line when a device is first heard from, so whoever points a camera here sees it
      const device = deviceOf(push.device, peer);
      if (!seen.has(device)) {
        seen.add(device);
        ctx.logger.info({ device, peer, name: push.device.name, kind: push.kind }, 'viewtron device connected');
      }
      if (push.kind === 'face') await facePush(push, peer, ctx);
      else {
        ctx.count(push.kind === 'keepalive' ? 'pushes_keepalive' : 'pushes_set_aside');
        ctx.logger.debug({ peer, kind: push.kind, device: push.device, smartType: push.smartType }, 'viewtron push set aside');
      }
      answer(res, 200, 'application/xml', SUCCESS_BODY);
    } catch (err) {
      const refusal = err instanceof ViewtronPushError ? new Refusal(400, err.code, err.message) : err instanceof Refusal ? err : undefined;
      if (!refusal) {
        // the device is asked to send it again (a 5xx and a closed connection), not told it was taken
        ctx.count('pushes_failed');
        ctx.logger.error({ err, peer }, 'viewtron push failed; the device is answered with the failure reply');
        const handoff = err instanceof HandoffFailed;
        return answer(res, handoff ? 503 : 500, 'application/xml', FAILURE_BODY, { Connection: 'close', ...(handoff ? { 'Retry-After': '5' } : {}) });
      }
      ctx.count('pushes_refused');
      ctx.logger.warn({ peer, status: refusal.status, reason: refusal.code, detail: refusal.message }, 'viewtron push refused');
      // a body left unread (too large) cannot be followed by another request on this connection
      answer(res, refusal.status, 'text/plain; charset=utf-8', `${refusal.code}: ${refusal.message}\n`, refusal.code === 'too_large' ? { Connection: 'close' } : {});
    }
  }

  return {
    name: options.name ?? 'viewtron',
    listening,
    async run(ctx: StageContext<FacePost>, signal: AbortSignal): Promise<void> {
      const server = createServer({ keepAliveTimeout: 60_000, headersTimeout: 65_000, requestTimeout: 120_000 }, (req, res) => void handle(req, res, ctx));
      try {
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(config.port, config.host, () => resolve());
        });
      } catch (err) {
        // said here: beside running cameras (serve) the receiver's end is otherwise only seen at shutdown
        ctx.logger.error({ err: (err as Error).message, host: config.host, port: config.port }, 'viewtron receiver cannot listen; no pushes are received');
        rejectListening(err as Error);
        throw err;
      }
      const address = server.address() as AddressInfo;
      ctx.logger.info({ host: address.address, port: address.port, path: config.path || '(any)' }, 'viewtron receiver listening');
      resolveListening(address);
      if (!signal.aborted) await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
    },
  };
}
