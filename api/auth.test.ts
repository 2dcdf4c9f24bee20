// Authentication, rights and audit through fastify.inject(), on PostgreSQL 15 and PGlite with events and the audit
// log on chdb: login/logout/me, 401/403/429, the permission matrix of the built-in roles over every route family,
// a custom role, camera-group / watch-list rights deciding which events, groups, lists and dossiers a user sees,
// the route → permission map covering every route, and audit rows (digest, never the body).
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnalyticsWriter } from '../stores/clickhouse/writer.ts';
import { testEvent } from '../stores/clickhouse/test-events.ts';
import { openTestStore, type TestStore } from '../stores/clickhouse/testing.ts';
import { createCameraGroup } from '../stores/postgres/repositories/camera-groups.ts';
import { createRole, setCameraGroupAccess, setWatchListAccess } from '../stores/postgres/repositories/roles.ts';
import { createWatchList } from '../stores/postgres/repositories/watch-lists.ts';
import { createDossier } from '../stores/postgres/repositories/dossiers.ts';
import { describeEachBackend } from '../stores/postgres/testing/backends.ts';
import { hashPassword } from './auth/password.ts';
import { ROUTE_PERMISSIONS, ruleOf } from './auth/route-permissions.ts';
import { updateUser } from '../stores/postgres/repositories/users.ts';
import { testApi, testUser } from './testing.ts';

type Body = Record<string, unknown> & { error?: { code: string; message: string } };
const json = (r: { body: string }) => JSON.parse(r.body) as Body;
const ids = (r: { body: string }) => (json(r)['results'] as { id: number | string }[]).map((x) => x.id);

let store: TestStore;
beforeAll(async () => {
  store = await openTestStore();
});
afterAll(async () => {
  await store?.dispose();
});

describeEachBackend('authentication and rights', (ctx) => {
  let app: FastifyInstance;
  let anon: FastifyInstance;
  beforeAll(async () => {
    app = await testApi({ db: ctx.db, clickhouse: store.client });
    anon = await testApi({ db: ctx.db, clickhouse: store.client, as: 'anonymous', deps: { loginLimits: { perIp: { limit: 8, windowMs: 60_000 }, perUser: { limit: 3, windowMs: 60_000 } } } });
  });
  afterAll(async () => {
    await app?.close();
    await anon?.close();
  });

  it('logs in with name and password, answers me, logs out; the key is stored only as a hash', async () => {
    const { user } = await testUser(ctx.db, { role: 'operator', name: `olga-${ctx.kind}` });
    await updateUser(ctx.db, user.id, { password_hash: await hashPassword('s3cret-pass') });
    const r = await anon.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: user.name, password: 's3cret-pass' } });
    expect(r.statusCode, r.body).toBe(200);
    const { key, user: me } = json(r) as { key: string; user: Record<string, unknown> };
    expect(me).toMatchObject({ name: user.name, has_password: true });
    expect(r.body).not.toMatch(/scrypt|password_hash/);
    const stored = await ctx.db.query<{ n: number }>('SELECT count(*)::integer AS n FROM tokens WHERE key_hash = $1', [createHash('sha256').update(key).digest('hex')]);
    expect(stored.rows[0]!.n).toBe(1);

    const headers = { authorization: `Bearer ${key}` };
    const who = json(await anon.inject({ method: 'GET', url: '/api/v1/auth/me', headers }));
    expect(who).toMatchObject({ user: { name: user.name }, administrator: false });
    expect(who['permissions']).toContain('add_dossier');
    // FindFace's header works too
    expect((await anon.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { authorization: `Token ${key}` } })).statusCode).toBe(200);
    expect((await anon.inject({ method: 'POST', url: '/api/v1/auth/logout', headers })).statusCode).toBe(204);
    expect((await anon.inject({ method: 'GET', url: '/api/v1/auth/me', headers })).statusCode).toBe(401);
  });

  it('401 without a token, with a bad one, for a wrong password; anonymous only for the operations routes', async () => {
    for (const headers of [{}, { authorization: 'Bearer nope-not-a-key-at-all-000' }, { authorization: 'Basic YWRtaW46YWRtaW4=' }]) {
      const r = await anon.inject({ method: 'GET', url: '/api/v1/cameras', headers });
      expect(r.statusCode).toBe(401);
      expect(json(r).error?.code).toBe('FS_ERR_UNAUTHENTICATED');
      expect(r.headers['www-authenticate']).toBe('Bearer');
    }
    // refused before the body is read
    expect((await anon.inject({ method: 'POST', url: '/api/v1/dossiers', payload: { name: 'x' } })).statusCode).toBe(401);
    const wrong = await anon.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: `olga-${ctx.kind}`, password: 'guess' } });
    const unknown = await anon.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'nobody-here', password: 'guess' } });
    expect([wrong.statusCode, unknown.statusCode]).toEqual([401, 401]);
    expect(json(wrong).error?.message).toBe(json(unknown).error?.message); // no hint which was wrong
    for (const url of ['/healthz', '/readyz', '/metrics', '/openapi.json']) expect((await anon.inject({ method: 'GET', url })).statusCode, url).toBe(200);
  });

  it('429 with Retry-After after too many attempts at one name, then from one address', async () => {
    const attempt = (username: string) => anon.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password: 'guess' }, remoteAddress: '203.0.113.9' });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await attempt('target')).statusCode);
    expect(statuses).toEqual([401, 401, 401, 429]);
    const limited = await attempt('target');
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(json(limited).error?.code).toBe('FS_ERR_RATE_LIMITED');
    // the same address trying other names runs into the per-address limit (8 a minute; the 5 above count)
    const more: number[] = [];
    for (let i = 0; i < 4; i++) more.push((await attempt(`other-${i}`)).statusCode);
    expect(more).toEqual([401, 401, 401, 429]);
  });

  it('two API processes on one database share the login limits', async () => {
    const limits = { perIp: { limit: 100, windowMs: 60_000 }, perUser: { limit: 4, windowMs: 60_000 } };
    const [one, two] = await Promise.all([0, 1].map(() => testApi({ db: ctx.db, clickhouse: store.client, as: 'anonymous', deps: { loginLimits: limits } })));
    try {
      const statuses: number[] = [];
      for (const api of [one, two, one, two, one, two]) {
        statuses.push((await api!.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'shared-target', password: 'guess' }, remoteAddress: '203.0.113.20' })).statusCode);
      }
      // in-memory counters would have let each process allow 4 (6 × 401)
      expect(statuses).toEqual([401, 401, 401, 401, 429, 429]);
    } finally {
      await Promise.all([one?.close(), two?.close()]);
    }
  });

  // [method, url, payload, allowed for admin/operator/viewer]
  const MATRIX: ReadonlyArray<[string, string, (n: string) => object | undefined, [boolean, boolean, boolean]]> = [
    ['GET', '/api/v1/camera-groups', () => undefined, [true, true, true]],
    ['POST', '/api/v1/camera-groups', (n) => ({ name: `g-${n}` }), [true, false, false]],
    ['GET', '/api/v1/cameras', () => undefined, [true, true, true]],
    ['POST', '/api/v1/cameras', (n) => ({ name: `c-${n}`, url: 'rtsp://203.0.113.5/s' }), [true, false, false]],
    ['GET', '/api/v1/watch-lists', () => undefined, [true, true, true]],
    ['POST', '/api/v1/watch-lists', (n) => ({ name: `w-${n}` }), [true, false, false]],
    ['GET', '/api/v1/dossiers', () => undefined, [true, true, true]],
    ['POST', '/api/v1/dossiers', (n) => ({ name: `d-${n}` }), [true, true, false]],
    ['GET', '/api/v1/dossier-faces', () => undefined, [true, true, true]],
    ['DELETE', '/api/v1/dossier-faces/999999', () => undefined, [true, true, false]],
    ['GET', '/api/v1/events', () => undefined, [true, true, true]],
    ['POST', '/api/v1/verify', () => ({}), [true, true, true]],
    ['GET', '/api/v1/users', () => undefined, [true, false, false]],
    ['POST', '/api/v1/users', (n) => ({ name: `u-${n}`, primary_role_id: 3 }), [true, false, false]],
    ['GET', '/api/v1/roles', () => undefined, [true, false, false]],
    ['GET', '/api/v1/tokens', () => undefined, [true, true, true]],
    ['GET', '/api/v1/tokens?all=true', () => undefined, [true, false, false]],
    ['GET', '/api/v1/audit-log', () => undefined, [true, false, false]],
  ];

  it('the permission matrix: each built-in role × a route of every family', async () => {
    const roles = ['admin', 'operator', 'viewer'] as const;
    for (const [i, role] of roles.entries()) {
      const { headers } = await testUser(ctx.db, { role });
      for (const [method, url, payload, allowed] of MATRIX) {
        const body = payload(`${role}-${ctx.kind}`);
        const r = await app.inject({ method: method as 'GET', url, headers, ...(body ? { payload: body } : {}) });
        const label = `${role} ${method} ${url} → ${r.statusCode} ${r.body.slice(0, 120)}`;
        if (allowed[i]) expect([401, 403], label).not.toContain(r.statusCode);
        else {
          expect(r.statusCode, label).toBe(403);
          expect(json(r).error?.code).toBe('FS_ERR_FORBIDDEN');
        }
      }
    }
  });

  it('object rights: a custom role sees only its camera groups and watch lists, and changes only what it may', async () => {
    const k = ctx.kind;
    const north = await createCameraGroup(ctx.db, { name: `north-${k}` });
    const south = await createCameraGroup(ctx.db, { name: `south-${k}` });
    const vip = await createWatchList(ctx.db, { name: `vip-${k}` });
    const staff = await createWatchList(ctx.db, { name: `staff-${k}` });
    const role = await createRole(ctx.db, { name: `guards-${k}`, permissions: ['view_cameragroup', 'add_cameragroup', 'change_cameragroup', 'view_dossierlist', 'view_dossier', 'view_listevent'] });
    await setCameraGroupAccess(ctx.db, role.id, north.id, 'change');
    await setCameraGroupAccess(ctx.db, role.id, south.id, 'view');
    await setWatchListAccess(ctx.db, role.id, vip.id, 'view');
    const { headers } = await testUser(ctx.db, { role: role.id });
    const as = (method: 'GET' | 'PATCH', url: string, payload?: object) => app.inject({ method, url, headers, ...(payload ? { payload } : {}) });

    expect(ids(await as('GET', '/api/v1/camera-groups'))).toEqual([north.id, south.id]);
    expect((await as('GET', '/api/v1/camera-groups?limit=1')).json()).toMatchObject({ next_page: String(north.id) });
    expect((await as('GET', '/api/v1/camera-groups/1')).statusCode).toBe(404); // Default: not theirs
    expect((await as('PATCH', `/api/v1/camera-groups/${north.id}`, { comment: 'ok' })).statusCode).toBe(200);
    expect((await as('PATCH', `/api/v1/camera-groups/${south.id}`, { comment: 'no' })).statusCode).toBe(403);
    expect(ids(await as('GET', '/api/v1/watch-lists'))).toEqual([vip.id]);
    expect((await as('GET', `/api/v1/watch-lists/${staff.id}`)).statusCode).toBe(404);
    // not a permission of the role at all
    expect((await as('GET', '/api/v1/cameras')).statusCode).toBe(403);
    // what the role's user creates, the role may change
    const made = await app.inject({ method: 'POST', url: '/api/v1/camera-groups', headers, payload: { name: `made-${k}` } });
    expect(made.statusCode).toBe(201);
    expect((await as('PATCH', `/api/v1/camera-groups/${json(made)['id'] as number}`, { comment: 'mine' })).statusCode).toBe(200);

    const onVip = await createDossier(ctx.db, { name: `on-vip-${k}`, watch_list_ids: [vip.id] });
    const onStaff = await createDossier(ctx.db, { name: `on-staff-${k}`, watch_list_ids: [staff.id] });
    const seen = ids(await as('GET', `/api/v1/dossiers?name_contains=-${k}`));
    expect(seen).toContain(onVip.id);
    expect(seen).not.toContain(onStaff.id);
    expect((await as('GET', `/api/v1/dossiers/${onStaff.id}`)).statusCode).toBe(404);

    // events on chdb: FindFace's rule — the camera group AND (the matched list, or the Unmatched list)
    const T = Date.now() - 60_000;
    const groupOf = (c: string) => String(c === 'cam-n' ? north.id : c === 'cam-s' ? south.id : 1);
    await createAnalyticsWriter({ client: store.client, cameraGroupOf: groupOf }).writeEvents(
      [
        { id: `${k}-n-vip`, ts: T + 1, camera: 'cam-n', dossier: 'ann', watchList: String(vip.id) },
        { id: `${k}-n-staff`, ts: T + 2, camera: 'cam-n', dossier: 'bob', watchList: String(staff.id) },
        { id: `${k}-n-unmatched`, ts: T + 3, camera: 'cam-n' },
        { id: `${k}-s-vip`, ts: T + 4, camera: 'cam-s', dossier: 'ann', watchList: String(vip.id) },
        { id: `${k}-d-vip`, ts: T + 5, camera: 'cam-d', dossier: 'ann', watchList: String(vip.id) },
      ].map(testEvent),
    );
    const mine = async () => ids(await as('GET', '/api/v1/events?limit=1000')).filter((id) => String(id).startsWith(`${k}-`));
    expect(await mine()).toEqual([`${k}-s-vip`, `${k}-n-vip`]);
    await setWatchListAccess(ctx.db, role.id, -1, 'view'); // now the Unmatched list too
    expect(await mine()).toEqual([`${k}-s-vip`, `${k}-n-unmatched`, `${k}-n-vip`]);
    expect((await as('GET', `/api/v1/events/${k}-n-staff`)).statusCode).toBe(404);
    expect((await as('GET', `/api/v1/events/${k}-d-vip`)).statusCode).toBe(404);
    expect((await as('GET', `/api/v1/events/${k}-n-vip`)).statusCode).toBe(200);
    // an administrator sees all five
    expect(ids(await app.inject({ method: 'GET', url: '/api/v1/events?limit=1000' })).filter((id) => String(id).startsWith(`${k}-`))).toHaveLength(5);
  });

  it('users, roles and tokens routes: CRUD, no hashes out, own tokens only', async () => {
    const created = await app.inject({ method: 'POST', url: '/api/v1/users', payload: { name: `vera-${ctx.kind}`, password: 'long-enough-1', primary_role_id: 3 } });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.body).not.toMatch(/scrypt|password_hash|long-enough/);
    const vera = json(created) as { id: number; name: string };
    const login = await anon.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: vera.name, password: 'long-enough-1' } });
    const headers = { authorization: `Bearer ${(json(login) as { key: string }).key}` };
    const own = await app.inject({ method: 'POST', url: '/api/v1/tokens', headers, payload: { name: 'script' } });
    expect(own.statusCode).toBe(201);
    const listed = json(await app.inject({ method: 'GET', url: '/api/v1/tokens', headers }))['results'] as { user_id: number }[];
    expect(listed.length).toBe(2);
    expect(listed.every((t) => t.user_id === vera.id)).toBe(true);
    // someone else's token: invisible to vera, revocable by an administrator
    const other = await testUser(ctx.db, { role: 'viewer' });
    const otherTokens = json(await app.inject({ method: 'GET', url: '/api/v1/tokens', headers: other.headers }))['results'] as { id: number }[];
    expect((await app.inject({ method: 'DELETE', url: `/api/v1/tokens/${otherTokens[0]!.id}`, headers })).statusCode).toBe(404);
    expect((await app.inject({ method: 'DELETE', url: `/api/v1/tokens/${otherTokens[0]!.id}` })).statusCode).toBe(204);
    expect((await app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: other.headers })).statusCode).toBe(401);

    const role = json(await app.inject({ method: 'POST', url: '/api/v1/roles', payload: { name: `night-${ctx.kind}`, permissions: ['view_listevent'] } }));
    const rights = await app.inject({ method: 'PUT', url: `/api/v1/roles/${role['id']}/camera-groups/1`, payload: { access: 'view' } });
    expect(json(rights)).toEqual({ camera_groups: [{ camera_group_id: 1, access: 'view' }], watch_lists: [] });
    expect(json(await app.inject({ method: 'PUT', url: `/api/v1/roles/${role['id']}/camera-groups/1`, payload: { access: 'none' } }))['camera_groups']).toEqual([]);
    expect((await app.inject({ method: 'DELETE', url: '/api/v1/roles/3' })).statusCode).toBe(409); // built-in
    // a new password ends the old sessions
    expect((await app.inject({ method: 'PATCH', url: `/api/v1/users/${vera.id}`, payload: { password: 'another-one-2' } })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/api/v1/auth/me', headers })).statusCode).toBe(401);
    expect((await app.inject({ method: 'DELETE', url: `/api/v1/users/${vera.id}` })).statusCode).toBe(204);
  });

  it('audits every mutating request with the body digest, never the body; readable by administrators', async () => {
    const payload = JSON.stringify({ username: `audit-probe-${ctx.kind}`, password: 'hunter2-secret' });
    await anon.inject({ method: 'POST', url: '/api/v1/auth/login', payload, headers: { 'content-type': 'application/json' } });
    const dossier = JSON.stringify({ name: `audited-${ctx.kind}` });
    const made = await app.inject({ method: 'POST', url: '/api/v1/dossiers', payload: dossier, headers: { 'content-type': 'application/json' } });
    await app.inject({ method: 'GET', url: '/api/v1/dossiers' }); // reads are not audited
    await anon.auditLog.flush();
    await app.auditLog.flush();
    const sha = (s: string) => createHash('sha256').update(s).digest('hex');

    const failed = json(await app.inject({ method: 'GET', url: `/api/v1/audit-log?user=audit-probe-${ctx.kind}` }))['results'] as Record<string, unknown>[];
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ method: 'POST', route: '/api/v1/auth/login', status_code: 401, user_id: '', body_digest: sha(payload), object_kind: 'auth' });
    expect(JSON.stringify(failed)).not.toMatch(/hunter2/);

    const all = json(await app.inject({ method: 'GET', url: `/api/v1/audit-log?created_date_gte=${new Date(Date.now() - 60_000).toISOString()}&limit=1000` }))['results'] as Record<string, unknown>[];
    const row = all.find((r) => r['body_digest'] === sha(dossier));
    expect(row).toMatchObject({ method: 'POST', route: '/api/v1/dossiers', status_code: 201, object_kind: 'dossiers' });
    expect(row!['user_name']).toMatch(/^test-admin-/);
    expect(all.some((r) => r['method'] === 'GET')).toBe(false);
    expect(made.statusCode).toBe(201);
    // pages
    const first = await app.inject({ method: 'GET', url: '/api/v1/audit-log?limit=1' });
    const second = await app.inject({ method: 'GET', url: `/api/v1/audit-log?limit=1&page=${json(first)['next_page'] as string}` });
    expect(ids(second)[0]).not.toBe(ids(first)[0]);
  });
});

describe('the route → permission map', () => {
  it('declares every /api/v1 route the app serves', async () => {
    const { openDatabase } = await import('../stores/postgres/open.ts');
    const { db } = await openDatabase({});
    const app = await testApi({ db });
    try {
      const routes = app.servedRoutes.filter((r) => r.url.startsWith('/api/v1') && r.method !== 'HEAD');
      expect(routes.length).toBeGreaterThan(30);
      const undeclared = routes.filter((r) => ruleOf(r.method, r.url) === undefined).map((r) => `${r.method} ${r.url}`);
      expect(undeclared, 'add these to api/auth/route-permissions.ts').toEqual([]);
      expect(Object.keys(ROUTE_PERMISSIONS).every((k) => /^(GET|POST|PUT|PATCH|DELETE) \/api\/v1\//.test(k))).toBe(true);
    } finally {
      await app.close();
      await db.close();
    }
  });
});
