// The live feed's connections and their one shared poller: started by the first subscriber, stopped when the last
// leaves. Each batch is serialised once (the listings' item shapes) and every connection gets what its
// subscription lets through.
import type { ClickHouseClient } from '@clickhouse/client';
import type { DedupGroups } from '../../pipelines/dedup/groups.ts';
import { episodeView } from '../routes/episodes.ts';
import { eventView } from '../routes/events.ts';
import { createLivePoller, type LiveBatch, type LivePoller } from './poller.ts';
import { messagesFor, type LiveMessages, type Subscription } from './subscription.ts';

export interface LiveClient {
  readonly subscription: Subscription;
  /** hands over this client's messages of a batch (never called with none) */
  send(messages: readonly string[]): void;
}

export interface LiveHub {
  /** resolves once the poller has its starting point: rows written afterwards reach `client` */
  subscribe(client: LiveClient): Promise<void>;
  unsubscribe(client: LiveClient): void;
  readonly clients: number;
  close(): void;
  /** the shared poller (tests poll it directly) */
  readonly poller: LivePoller;
}

export function formatBatch(batch: LiveBatch): LiveMessages {
  return {
    batch,
    events: batch.events.map((e) => JSON.stringify({ type: 'event', data: eventView(e) })),
    episodes: batch.episodes.map((e) => JSON.stringify({ type: 'episode', data: episodeView(e.view) })),
  };
}

export function createLiveHub(o: {
  readonly client: ClickHouseClient;
  readonly intervalMs: number;
  readonly onError: (err: unknown) => void;
  /** cameras whose group deduplicates events (their events wait for the verdict, poller.ts) */
  readonly dedupGroups?: DedupGroups;
}): LiveHub {
  const clients = new Set<LiveClient>();
  let starting: Promise<void> | undefined;
  const poller = createLivePoller({
    client: o.client,
    intervalMs: o.intervalMs,
    onError: o.onError,
    ...(o.dedupGroups ? { dedupGroups: o.dedupGroups } : {}),
    onBatch: (batch) => {
      const messages = formatBatch(batch);
      for (const c of [...clients]) {
        const out = messagesFor(c.subscription, messages);
        if (out.length > 0) c.send(out);
      }
    },
  });
  return {
    poller,
    get clients() {
      return clients.size;
    },
    async subscribe(client) {
      clients.add(client);
      // concurrent first subscribers wait for the same start
      if (!poller.running) starting ??= poller.start().finally(() => (starting = undefined));
      try {
        await starting;
      } catch (err) {
        clients.delete(client);
        throw err;
      }
    },
    unsubscribe(client) {
      clients.delete(client);
      if (clients.size === 0) poller.stop();
    },
    close() {
      clients.clear();
      poller.stop();
    },
  };
}
