// The live feed end to end on chdb: a real WebSocket to the listening app (injectWS sends Sec-WebSocket-Version as a
// number, which ws 8.23 refuses with 400), rows written like the sink writes them,
// the poller every 50 ms: token by header or query, refusals as close codes, filters, rights, episodes, repeats.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { acknowledgeEvents } from '../../stores/clickhouse/acknowledge.ts';
import { testChange, testEvent } from '../../stores/clickhouse/test-events.ts';
import { openTestStore, type TestStore } from '../../stores/clickhouse/testing.ts';
import { createAnalyticsWriter, type AnalyticsWriter } from '../../stores/clickhouse/writer.ts';
import type { Db } from '../../stores/postgres/db.ts';
import { openDatabase } from '../../stores/postgres/open.ts';
import { testApi, testUser } from '../testing.ts';

interface Message {
  type: string;
  data: Record<string, unknown>;
}

interface Feed {
  readonly messages: Message[];
  /** resolves with the messages once `until` holds on them (rejects after 5 s) */
  wait(until: (ms: Message[]) => boolean): Promise<Message[]>;
  readonly closed: Promise<{ code: number; reason: string }>;
  close(): void;
}

let store: TestStore;
let db: Db;
let app: FastifyInstance;
let writer: AnalyticsWriter;
let admin: { key: string; headers: { authorization: string } };
let base: string;
const now = Date.now();
let n = 0;
const id = (p: string) => `${p}-${++n}`;

beforeAll(async () => {
  store = await openTestStore();
  ({ db } = await openDatabase({}));
  // camera groups as face_events holds them: cam-a in the Default group (id 1), cam-b in group 2
  writer = createAnalyticsWriter({ client: store.client, cameraGroupOf: (c) => (c === 'cam-a' ? '1' : '2') });
  app = await testApi({ db, clickhouse: store.client, as: 'anonymous', config: { live_poll_ms: 50 } });
  admin = await testUser(db, { role: 'admin' });
  base = (await app.listen({ host: '127.0.0.1', port: 0 })).replace(/^http/, 'ws');
});
afterAll(async () => {
  await app?.close();
  await db?.close();
  await store?.dispose();
});

/** Connects and waits for `ready`, or for the close when refused. */
async function connect(query = '', headers: Record<string, string> = admin.headers): Promise<Feed> {
  const messages: Message[] = [];
  const waiters = new Set<() => void>();
  const ws = new WebSocket(`${base}/api/v1/live${query ? `?${query}` : ''}`, { headers });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  ws.on('message', (data) => {
    messages.push(JSON.parse(String(data)) as Message);
    for (const w of waiters) w();
  });
  const feed: Feed = {
    messages,
    closed,
    close: () => ws.terminate(),
    wait: (until) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (!until(messages)) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(messages);
        };
        const timer = setTimeout(() => (waiters.delete(check), reject(new Error(`timed out; got ${JSON.stringify(messages.map((m) => [m.type, m.data['id']]))}`))), 5000);
        waiters.add(check);
        check();
      }),
  };
  await Promise.race([feed.wait((ms) => ms.some((m) => m.type === 'ready')), closed]);
  return feed;
}

const idsOf = (ms: Message[], type: string) => ms.filter((m) => m.type === type).map((m) => m.data['id'] as string);
/** Lets a few polls pass (for "nothing arrives"). */
const polls = () => new Promise((r) => setTimeout(r, 300));

describe('live feed', () => {
  it('refuses a missing or bad token (4401) and a user without view_listevent (4403), with the reason', async () => {
    expect(await (await connect('', {})).closed).toMatchObject({ code: 4401 });
    expect(await (await connect(`token=${'x'.repeat(40)}`, {})).closed).toMatchObject({ code: 4401, reason: expect.stringMatching(/unknown, expired/) });
    const role = (await app.inject({ method: 'POST', url: '/api/v1/roles', headers: admin.headers, payload: { name: 'no-events', permissions: ['view_camera'] } })).json<{ id: number }>();
    const nobody = await testUser(db, { role: role.id });
    expect(await (await connect('', nobody.headers)).closed).toMatchObject({ code: 4403, reason: expect.stringMatching(/view_listevent/) });
    expect(await (await connect('kinds=everything')).closed).toMatchObject({ code: 4400, reason: expect.stringMatching(/kinds/) });
  });

  it('streams new events in the listing shape (token as query parameter), with the filters applied, each once', async () => {
    const all = await connect(`token=${admin.key}`, {});
    const vip = await connect('matched_lists=vip&kinds=events');
    const older = id('old');
    await writer.writeEvents([testEvent({ id: older, ts: now - 60_000 })]);
    await all.wait((ms) => idsOf(ms, 'event').includes(older));
    const [a, b] = [id('a'), id('b')];
    await writer.writeEvents([
      testEvent({ id: a, ts: now, camera: 'cam-a', dossier: 'alice', watchList: 'vip' }),
      testEvent({ id: b, ts: now + 1, camera: 'cam-b' }),
    ]);
    await all.wait((ms) => idsOf(ms, 'event').includes(b));
    await vip.wait((ms) => idsOf(ms, 'event').includes(a));
    const listed = (await app.inject({ method: 'GET', url: `/api/v1/events/${a}`, headers: admin.headers })).json<unknown>();
    expect(all.messages.find((m) => m.data['id'] === a)).toEqual({ type: 'event', data: listed });
    // a sink replay of the same rows is no news; an acknowledgement is
    await writer.writeEvents([testEvent({ id: a, ts: now, camera: 'cam-a', dossier: 'alice', watchList: 'vip' })]);
    await polls();
    expect(idsOf(all.messages, 'event').filter((x) => x === a)).toHaveLength(1);
    await acknowledgeEvents(store.client, [a], { by: 'op', at: Date.now() });
    await all.wait((ms) => ms.some((m) => m.data['id'] === a && m.data['acknowledged'] === true));
    expect(idsOf(vip.messages, 'event').every((x) => x === a)).toBe(true);
    all.close();
    vip.close();
  });

  it('sends a user only the events of camera groups and watch lists they may see', async () => {
    const role = (await app.inject({ method: 'POST', url: '/api/v1/roles', headers: admin.headers, payload: { name: 'night', permissions: ['view_listevent', 'view_eventepisode'] } })).json<{ id: number }>();
    for (const url of [`/api/v1/roles/${role.id}/camera-groups/1`, `/api/v1/roles/${role.id}/watch-lists/-1`]) {
      expect((await app.inject({ method: 'PUT', url, headers: admin.headers, payload: { access: 'view' } })).statusCode).toBe(200);
    }
    const night = await testUser(db, { role: role.id });
    const feed = await connect('kinds=events', night.headers);
    const [seen, otherGroup, otherList] = [id('seen'), id('group2'), id('list')];
    await writer.writeEvents([
      testEvent({ id: otherGroup, ts: now, camera: 'cam-b' }),
      testEvent({ id: otherList, ts: now, camera: 'cam-a', dossier: 'alice', watchList: 'vip' }),
      testEvent({ id: seen, ts: now + 1, camera: 'cam-a' }),
    ]);
    await feed.wait((ms) => idsOf(ms, 'event').includes(seen));
    await polls();
    expect(idsOf(feed.messages, 'event')).toEqual([seen]);
    feed.close();
  });

  it('delivers episode changes in the listing shape', async () => {
    const feed = await connect('kinds=episodes');
    const [ep, e1] = [id('ep'), id('e')];
    await writer.writeEvents([testEvent({ id: e1, ts: now, camera: 'cam-a' })]);
    await writer.writeEpisodeChanges([testChange('open', ep, e1, { eventsCount: 1, startTs: now, endTs: now })]);
    await feed.wait((ms) => ms.some((m) => m.data['id'] === ep && m.data['open'] === true));
    await writer.writeEpisodeChanges([testChange('close', ep, null, { eventsCount: 1, startTs: now, endTs: now })]);
    await feed.wait((ms) => ms.some((m) => m.data['id'] === ep && m.data['open'] === false));
    const listed = (await app.inject({ method: 'GET', url: `/api/v1/episodes/${ep}`, headers: admin.headers })).json<Record<string, unknown>>();
    const { events: _events, ...episode } = listed;
    expect(feed.messages.filter((m) => m.data['id'] === ep).at(-1)).toEqual({ type: 'episode', data: episode });
    expect(feed.messages.every((m) => m.type !== 'event')).toBe(true);
    feed.close();
  });
});
