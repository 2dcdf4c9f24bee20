// The notify stages end to end in one process: webhooks stored in PostgreSQL (PGlite), delivered to a local HTTP
// receiver that fails on purpose, every attempt logged in ClickHouse (chdb).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/load.ts';
import type { FacestreamConfig } from '../../config/schema.ts';
import type { EpisodeChange, FaceEvent } from '../../schemas/records.ts';
import { openTestStore, type TestStore } from '../../stores/clickhouse/testing.ts';
import { testEvent } from '../../stores/clickhouse/test-events.ts';
import { queryWebhookDeliveries, type WebhookDelivery } from '../../stores/clickhouse/webhook-deliveries.ts';
import type { Db } from '../../stores/postgres/db.ts';
import { openDatabase } from '../../stores/postgres/open.ts';
import { createWebhook, deleteWebhook } from '../../stores/postgres/repositories/webhooks.ts';
import { createCameraGroup } from '../../stores/postgres/repositories/camera-groups.ts';
import { createCamera } from '../../stores/postgres/repositories/cameras.ts';
import type { NewWebhook } from '../../stores/postgres/rows.ts';
import { mockContext } from '../runtime/testing/mock-context.ts';
import { notifyEpisodesStage, notifyEventsStage, sharedNotifier } from './index.ts';
import { openNotifier, type OpenedNotifier } from './open.ts';
import { Receiver } from './testing/receiver.ts';

async function until(what: string, done: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!(await done())) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const now = Date.now();
const event = (id: string, o: { list?: string; camera?: string } = {}): FaceEvent =>
  testEvent({ id, ts: now, camera: o.camera ?? 'cam-1', ...(o.list ? { dossier: `d-${id}`, watchList: o.list } : {}) });
const episode = (id: string, eventId: string, kind: EpisodeChange['kind']): EpisodeChange => ({
  kind,
  episodeId: id,
  scope: 's',
  eventId: kind === 'close' ? null : eventId,
  duplicateOf: null,
  bestEventId: eventId,
  eventsCount: 1,
  dossier: null,
  cameras: ['cam-1'],
  startTs: now,
  endTs: now,
  startT: 0,
  endT: 0,
});

describe('notify stages against a local receiver', () => {
  let db: Db;
  let ch: TestStore;
  let receiver: Receiver;
  let base: string;
  let config: Readonly<FacestreamConfig>;

  beforeAll(async () => {
    db = (await openDatabase({})).db;
    ch = await openTestStore();
    receiver = new Receiver();
    base = await receiver.listen();
    // short pauses so that retries happen within the test; the schedule itself is unit-tested (filters.test.ts)
    config = await loadConfig(
      undefined,
      // the receiver is on loopback, which FindFace's deny-networks refuse unless allowed
      { api: { allowed_networks: ['127.0.0.0/8'] }, notify: { webhooks: { retry_initial_delay_ms: 100, retry_multiplier: 2, request_timeout_ms: 1500, flush_interval_ms: 200, refresh_interval_ms: 200 } } },
      {},
    );
  }, 60_000);

  afterAll(async () => {
    await receiver?.close();
    await db?.close();
    await ch?.dispose();
  });

  /** webhooks created for one test, the stages over one notifier; everything removed afterwards */
  async function withWebhooks(hooks: NewWebhook[], body: (ctx: { ids: number[]; opened: OpenedNotifier; offerEvents(e: FaceEvent[]): Promise<void>; offerEpisodes(e: EpisodeChange[]): Promise<void> }) => Promise<void>) {
    const ids = [];
    for (const h of hooks) ids.push((await createWebhook(db, h)).id);
    let opened: OpenedNotifier | undefined;
    const handle = sharedNotifier(async (log) => (opened = await openNotifier({ config, logger: log, db, clickhouse: ch.client })));
    const events = notifyEventsStage.create(handle);
    const episodes = notifyEpisodesStage.create(handle);
    const ctx = mockContext<never>();
    await events.init!(ctx);
    await episodes.init!(ctx);
    try {
      await body({ ids, opened: opened!, offerEvents: async (e) => void (await events.process(e, ctx)), offerEpisodes: async (e) => void (await episodes.process(e, ctx)) });
    } finally {
      await events.close!();
      await episodes.close!();
      for (const id of ids) await deleteWebhook(db, id);
    }
  }

  async function deliveries(webhookId: number, expected: number): Promise<WebhookDelivery[]> {
    let rows: WebhookDelivery[] = [];
    await until(`${expected} delivery rows of webhook ${webhookId}`, async () => {
      rows = (await queryWebhookDeliveries(ch.client, { webhookId: String(webhookId), limit: 100 })).deliveries;
      return rows.length >= expected;
    });
    return rows.sort((a, b) => a.ts - b.ts || a.attempt - b.attempt);
  }

  it('sends JSON arrays of at most max_batch_size: 10 events → 3 POSTs (4, 4, 2)', async () => {
    await withWebhooks([{ name: 'batches', url: `${base}/batches`, max_batch_size: 4, filters: { events: {} } }], async ({ ids, offerEvents, offerEpisodes }) => {
      await offerEvents(Array.from({ length: 10 }, (_, i) => event(`b${i}`)));
      await offerEpisodes([episode('ep-b', 'b0', 'open')]); // filtered out: the webhook takes events only
      await until('10 events', () => receiver.bodies('/batches').flat().length === 10);
      const bodies = receiver.bodies('/batches');
      expect(bodies.map((b) => b.length)).toEqual([4, 4, 2]);
      expect(bodies.flat().map((e) => e.id)).toEqual(Array.from({ length: 10 }, (_, i) => `b${i}`));
      expect(receiver.received.filter((r) => r.path === '/batches').every((r) => r.contentType === 'application/json')).toBe(true);
      const rows = await deliveries(ids[0]!, 3);
      expect(rows.map((r) => [r.status, r.attempt, r.objectIds.length, r.type, r.statusCode])).toEqual([
        ['delivered', 1, 4, 'events', 200],
        ['delivered', 1, 4, 'events', 200],
        ['delivered', 1, 2, 'events', 200],
      ]);
    });
  });

  it('filters: only matched events of list 7 reach webhook 1; webhook 2 takes all episodes and no events', async () => {
    await withWebhooks(
      [
        { name: 'list7', url: `${base}/list7`, max_batch_size: 100, filters: { events: { matched_lists_in: [7] } } },
        { name: 'episodes', url: `${base}/episodes`, max_batch_size: 100, filters: { episodes: {} } },
      ],
      async ({ offerEvents, offerEpisodes }) => {
        await offerEvents([event('f1', { list: '7' }), event('f2', { list: '8' }), event('f3'), event('f4', { list: '7' })]);
        await offerEpisodes([episode('ep-f', 'f1', 'open'), episode('ep-f', 'f1', 'close')]);
        await until('both webhooks', () => receiver.bodies('/list7').length > 0 && receiver.bodies('/episodes').flat().length === 2);
        expect(receiver.bodies('/list7').flat().map((e) => e.id)).toEqual(['f1', 'f4']);
        const eps = receiver.bodies('/episodes').flat() as unknown as Array<{ id: string; event_type: string; webhook_type: string; last_event: unknown }>;
        expect(eps.map((e) => [e.id, e.event_type, e.webhook_type])).toEqual([
          ['ep-f', 'episode_open', 'episodes'],
          ['ep-f', 'episode_close', 'episodes'],
        ]);
        expect(eps[0]!.last_event).toMatchObject({ id: 'f1', matched_lists: ['7'] }); // the whole event, seen by notify-events
      },
    );
  });

  it('retries a 500 and a timeout with growing pauses, then delivers; a healthy webhook is not held up meanwhile', async () => {
    receiver.script.set('/flaky', [500, 500, 200]);
    receiver.script.set('/slow', ['hang', 200]);
    await withWebhooks(
      [
        { name: 'flaky', url: `${base}/flaky`, max_attempts: 5, filters: { events: {} } },
        { name: 'slow', url: `${base}/slow`, max_attempts: 5, filters: { events: {} } },
        { name: 'healthy', url: `${base}/healthy`, filters: { events: {} } },
      ],
      async ({ ids, offerEvents }) => {
        const offered = performance.now();
        await offerEvents([event('r1')]);
        await until('every webhook', () => ['/flaky', '/slow', '/healthy'].every((p) => receiver.bodies(p).length === 1));
        const at = (p: string) => receiver.received.find((r) => r.path === p)!.at - offered;
        // the healthy one got its batch before either failing one had succeeded (they wait ≥ 100 + 200 ms and ≥ 1500 + 100 ms)
        expect(at('/healthy')).toBeLessThan(at('/flaky'));
        expect(at('/healthy')).toBeLessThan(at('/slow'));
        const flaky = await deliveries(ids[0]!, 3);
        expect(flaky.map((r) => [r.attempt, r.status, r.statusCode])).toEqual([
          [1, 'retrying', 500],
          [2, 'retrying', 500],
          [3, 'delivered', 200],
        ]);
        expect(new Set(flaky.map((r) => r.batchId)).size).toBe(1); // the same batch, sent again
        // pauses of 100 then 200 ms between the attempts' starts (each attempt's own time is on top)
        expect(flaky[1]!.ts - flaky[0]!.ts).toBeGreaterThanOrEqual(100);
        expect(flaky[2]!.ts - flaky[1]!.ts).toBeGreaterThanOrEqual(200);
        const slow = await deliveries(ids[1]!, 2);
        expect(slow.map((r) => [r.attempt, r.status, r.statusCode])).toEqual([
          [1, 'retrying', 0],
          [2, 'delivered', 200],
        ]);
        expect(slow[0]!.error).toBe('timeout after 1500 ms');
        expect(receiver.bodies('/flaky')[0]!.map((e) => e.id)).toEqual(['r1']);
      },
    );
  });

  it('gives a batch up after max_attempts and logs it as failed, while later batches still go', async () => {
    receiver.script.set('/dead', [500, 500, 200]);
    await withWebhooks([{ name: 'dead', url: `${base}/dead`, max_attempts: 2, max_batch_size: 10, filters: { events: {} } }], async ({ ids, offerEvents }) => {
      await offerEvents([event('m1'), event('m2')]);
      const rows = await deliveries(ids[0]!, 2);
      expect(rows.map((r) => [r.attempt, r.status, r.error])).toEqual([
        [1, 'retrying', 'HTTP 500'],
        [2, 'failed', 'HTTP 500'],
      ]);
      expect(rows[1]!.objectIds).toEqual(['m1', 'm2']);
      await offerEvents([event('m3')]);
      await until('the next batch', () => receiver.bodies('/dead').length === 1);
      expect(receiver.bodies('/dead')[0]!.map((e) => e.id)).toEqual(['m3']);
    });
  });

  it('refuses to POST into a denied network (checked again at every attempt), without connecting', async () => {
    await withWebhooks([{ name: 'private', url: 'http://10.255.0.1/hook', max_attempts: 1, filters: { events: {} } }], async ({ ids, offerEvents }) => {
      await offerEvents([event('p1')]);
      const [row] = await deliveries(ids[0]!, 1);
      expect(row).toMatchObject({ status: 'failed', statusCode: 0, objectIds: ['p1'] });
      expect(row!.error).toMatch(/^url refused: 10\.255\.0\.1 is an address in a loopback, link-local or private network/);
    });
  });

  it("sends a camera added after the notifier started to a webhook filtering by its group, with the group in the payload", async () => {
    const group = await createCameraGroup(db, { name: 'notify-gate' });
    await withWebhooks([{ name: 'by-group', url: `${base}/by-group`, filters: { events: { camera_group_in: [group.id] } } }], async ({ offerEvents }) => {
      // the notifier read the cameras when it opened: this one is new to it
      const camera = await createCamera(db, { name: 'notify-gate-1', url: 'rtsp://cameras.example/gate1', camera_group_id: group.id });
      await offerEvents([event('g1', { camera: String(camera.id) }), event('g2', { camera: 'elsewhere' })]);
      await until('the new camera\'s event', () => receiver.bodies('/by-group').length === 1);
      expect((receiver.bodies('/by-group').flat() as unknown as Array<{ id: string; camera_group: string | null }>).map((e) => [e.id, e.camera_group])).toEqual([['g1', String(group.id)]]);
    });
  });

  it('applies a webhook changed or deactivated in PostgreSQL without a restart', async () => {
    await withWebhooks([{ name: 'changing', url: `${base}/before`, filters: { events: {} } }], async ({ ids, opened, offerEvents }) => {
      const { updateWebhook } = await import('../../stores/postgres/repositories/webhooks.ts');
      await updateWebhook(db, ids[0]!, { url: `${base}/after` });
      await opened.notifier.refresh();
      await offerEvents([event('c1')]);
      await until('the new URL', () => receiver.bodies('/after').length === 1);
      expect(receiver.bodies('/before')).toEqual([]);
      await updateWebhook(db, ids[0]!, { active: false });
      await until('the poll', () => opened.notifier.webhooks.length === 0, 5000);
      await offerEvents([event('c2')]);
      expect(opened.notifier.idle).toBe(true);
    });
  });
});
