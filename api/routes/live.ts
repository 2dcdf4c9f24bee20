// /api/v1/live: a WebSocket streaming new events and episode changes, with the events listing's filters and only
// what the connected user may see. Not in the OpenAPI document (OpenAPI 3 cannot describe a WebSocket): the route is
// hidden and documented in docs/API.md "Live feed".
//
// Refusals are close codes, not HTTP answers: a browser sees neither the status nor the body of a refused upgrade,
// so the upgrade goes ahead and the socket closes with 4000 + the HTTP status (4400 bad parameter, 4401 no or bad
// token, 4403 no right to view events) and the message as reason (the auth plugin keeps the refusal for this).
import type { FastifyInstance } from 'fastify';
import { principalOf } from '../auth/principal.ts';
import { ApiError } from '../errors.ts';
import { sendBounded, type SendingSocket } from '../live/backpressure.ts';
import { createLiveHub, type LiveClient } from '../live/hub.ts';
import { followDedupGroups } from '../../pipelines/dedup/groups.ts';
import { subscriptionOf } from '../live/subscription.ts';
import { LiveQuery } from '../schemas/live.ts';

export interface LiveOptions {
  readonly pollMs: number;
  readonly maxBufferedBytes: number;
}

export const CLOSE_INTERNAL = 1011;

/** 4000 + the HTTP status of an ApiError; 1011 for anything else. */
export function closeCodeOf(err: unknown): number {
  return err instanceof ApiError ? 4000 + err.statusCode : CLOSE_INTERNAL;
}

/** A close reason fits in 123 bytes (RFC 6455); longer messages are cut. */
export function closeReason(message: string): string {
  const bytes = Buffer.from(message);
  return bytes.length <= 123 ? message : `${bytes.subarray(0, 120).toString('utf8').replace(/\uFFFD$/, '')}...`;
}

export function closeWith(socket: Pick<SendingSocket, 'close'>, err: unknown): void {
  socket.close(closeCodeOf(err), closeReason(err instanceof ApiError ? err.message : 'internal error'));
}

export async function liveRoutes(app: FastifyInstance, opts: LiveOptions): Promise<void> {
  // which groups deduplicate, re-read as often as the episodes stage does by default (docs/DEDUP.md)
  const dedupGroups = await followDedupGroups(app.db, { pollMs: 10_000, logger: app.log });
  const hub = createLiveHub({ client: app.clickhouse, intervalMs: opts.pollMs, dedupGroups, onError: (err) => app.log.error({ err }, 'live feed: poll failed') });
  app.addHook('onClose', async () => {
    hub.close();
    await dedupGroups.close();
  });

  app.get<{ Querystring: LiveQuery }>(
    '',
    {
      websocket: true,
      // answered on the socket (4400), see above
      attachValidation: true,
      // @fastify/websocket hides its routes from OpenAPI too, but after api/app.ts has recorded the route: said here
      schema: { hide: true, querystring: LiveQuery },
    },
    async (socket, req) => {
      let client: LiveClient | undefined;
      socket.on('close', () => client && hub.unsubscribe(client));
      try {
        if (req.socketRefusal) throw req.socketRefusal;
        const principal = principalOf(req);
        if (req.validationError) throw new ApiError('FS_ERR_VALIDATION', req.validationError.message);
        const subscription = subscriptionOf(req.query, principal);
        const c: LiveClient = { subscription, send: (messages) => void sendBounded(socket, messages, opts.maxBufferedBytes) };
        client = c;
        await hub.subscribe(c);
        // the feed starts here: rows written from now on are delivered (clients wait for it before relying on it)
        if (socket.readyState === 1 /* OPEN */) socket.send(JSON.stringify({ type: 'ready', data: { kinds: [...subscription.kinds], poll_ms: opts.pollMs } }));
      } catch (err) {
        if (!(err instanceof ApiError)) req.log.error({ err }, 'live feed: subscription failed');
        closeWith(socket, err);
      }
    },
  );
}
