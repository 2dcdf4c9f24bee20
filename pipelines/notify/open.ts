// What a process that runs the notify stages opens: the webhooks and the camera → group lookup from PostgreSQL,
// the delivery log in ClickHouse, and the MQTT output. A process that already has the stores open (`facestream
// serve`: PGlite and chdb) hands them over; otherwise only servers are opened (DATABASE_URL, CLICKHOUSE_URL),
// never the embedded stores, whose data directories belong to the API's process. Without PostgreSQL there are no
// webhooks (only MQTT); without ClickHouse deliveries are in the process log only. Both are said at start.
import type { ClickHouseClient } from '@clickhouse/client';
import type { Logger } from 'pino';
import { createUrlPolicy } from '../../api/network/url-policy.ts';
import type { FacestreamConfig } from '../../config/schema.ts';
import { createDeliveryLogWriter, type DeliveryLogWriter } from '../../stores/clickhouse/webhook-deliveries.ts';
import type { Queryable } from '../../stores/postgres/db.ts';
import { listWebhooks } from '../../stores/postgres/repositories/webhooks.ts';
import type { Webhook } from '../../stores/postgres/rows.ts';
import type { Clock } from '../runtime/stage.ts';
import { systemClock } from '../runtime/stage.ts';
import { cameraGroupLookup, type CameraGroupLookup } from '../sink-clickhouse/camera-groups.ts';
import { followDedupGroups, type FollowedDedupGroups } from '../dedup/groups.ts';
import { openMqttOutput, type MqttOutput } from './mqtt.ts';
import { Notifier } from './notifier.ts';

export interface OpenNotifierOptions {
  readonly config: Readonly<FacestreamConfig>;
  readonly logger: Logger;
  /** an identity store this process already has open; else a PostgreSQL server if configured */
  readonly db?: Queryable;
  /** an analytics store this process already has open; else a ClickHouse server if configured */
  readonly clickhouse?: ClickHouseClient;
  readonly clock?: Clock;
}

export interface OpenedNotifier {
  readonly notifier: Notifier;
  /** stops the dispatchers, writes the delivery log, closes what this module opened; safe to call twice */
  close(): Promise<void>;
}

/** Every active webhook, page by page. */
export async function readWebhooks(db: Queryable): Promise<Webhook[]> {
  const all: Webhook[] = [];
  for (let after: number | undefined; ; ) {
    const page = await listWebhooks(db, { active: true, limit: 1000, ...(after !== undefined ? { after_id: after } : {}) });
    all.push(...page);
    if (page.length < 1000) return all;
    after = page[page.length - 1]!.id;
  }
}

export async function openNotifier(options: OpenNotifierOptions): Promise<OpenedNotifier> {
  const { config, logger } = options;
  const closers: Array<() => Promise<void> | void> = [];
  const closeAll = async () => {
    for (const close of closers.reverse()) await close();
  };
  try {
    let db = options.db;
    if (!db && config.stores.postgres.url.trim() !== '') {
      const { openDatabase } = await import('../../stores/postgres/open.ts'); // pg loads only when needed
      const opened = await openDatabase({ url: config.stores.postgres.url.trim(), maxConnections: 2 });
      closers.push(() => opened.db.close());
      db = opened.db;
    }
    let lookup: CameraGroupLookup | undefined;
    let dedupGroups: FollowedDedupGroups | undefined;
    if (db) {
      lookup = await cameraGroupLookup(db, { logger });
      closers.push(() => lookup!.close());
      dedupGroups = await followDedupGroups(db, { pollMs: config.episodes.dedup_refresh_interval_ms, logger });
      closers.push(() => dedupGroups!.close());
    }
    let client = options.clickhouse;
    if (!client && config.stores.clickhouse.url.trim() !== '') {
      const { startClickHouse } = await import('../../stores/clickhouse/index.ts');
      const store = await startClickHouse(config.stores.clickhouse);
      closers.push(() => store.close());
      client = store.client;
    }
    let deliveries: Pick<DeliveryLogWriter, 'record'> = { record: () => {} };
    if (client) {
      const writer = createDeliveryLogWriter({ client, onError: (err, rows) => logger.error({ err, rows }, 'webhook delivery log rows could not be written') });
      closers.push(() => writer.close());
      deliveries = writer;
    }
    let mqtt: MqttOutput | undefined;
    if (config.notify.mqtt.url.trim() !== '') {
      mqtt = openMqttOutput(config.notify.mqtt, logger);
      closers.push(() => mqtt!.close());
    }
    const source = db;
    const notifier = await Notifier.start({
      config: config.notify,
      logger,
      clock: options.clock ?? systemClock,
      ...(source ? { loadWebhooks: () => readWebhooks(source) } : {}),
      groupOf: (camera) => lookup?.groupOf(camera),
      ...(lookup ? { resolveGroup: lookup.resolve } : {}),
      // the same deny-networks the API applies when a webhook is saved (api.allowed_networks opens some)
      checkUrl: createUrlPolicy({ allowedNetworks: config.api.allowed_networks, schemes: ['http', 'https'] }),
      deliveries,
      ...(mqtt ? { mqtt } : {}),
      ...(dedupGroups ? { dedupGroups } : {}),
    });
    closers.push(() => notifier.close()); // closed first: its last rows reach the delivery log before that closes
    logger.info(
      {
        webhooks: db ? notifier.webhooks.length : 'none (no PostgreSQL: set DATABASE_URL)',
        deliveryLog: client ? 'clickhouse' : 'process log only (no ClickHouse: set CLICKHOUSE_URL)',
        mqtt: mqtt ? { broker: mqtt.broker, topics: `${config.notify.mqtt.topic_prefix}/<type>` } : 'off',
      },
      'notify open',
    );
    let closing: Promise<void> | undefined;
    return { notifier, close: () => (closing ??= closeAll()) };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
