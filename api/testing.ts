// For the API's tests: an app over given stores, with the project's face models (loaded once per test file) or
// a face service that must not be called, and multipart bodies built by hand.
import type { ClickHouseClient } from '@clickhouse/client';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../config/load.ts';
import { loadFaceModels } from '../models/face-models.ts';
import type { FaceModels } from '../models/face-models.types.ts';
import { openTestStore, type TestStore } from '../stores/clickhouse/testing.ts';
import { createAnalyticsWriter } from '../stores/clickhouse/writer.ts';
import { testEvent, type TestEventOptions } from '../stores/clickhouse/test-events.ts';
import { readPhoto } from '../models/image/read-photo.ts';
import { deepfacePath } from '../models/testing/deepface.ts';
import type { FaceEvent } from '../schemas/records.ts';
import type { Db } from '../stores/postgres/db.ts';
import { openDatabase } from '../stores/postgres/open.ts';
import { createCameraGroup } from '../stores/postgres/repositories/camera-groups.ts';
import { getRoleByName } from '../stores/postgres/repositories/roles.ts';
import { createToken } from '../stores/postgres/repositories/tokens.ts';
import { createUser } from '../stores/postgres/repositories/users.ts';
import type { User } from '../stores/postgres/rows.ts';
import { buildApi } from './app.ts';
import { createAuthorizer } from './auth/authorize.ts';
import type { ApiDeps } from './deps.ts';
import { apiConfig, type ApiConfig } from './config.ts';
import { createFaceService, type FaceService } from './photos/face-service.ts';

/** A face service for tests that never touch photos. */
export const noFaces: FaceService = {
  modelId: 'none',
  confidenceThreshold: 0.39,
  enrol: () => Promise.reject(new Error('no face models in this test')),
  verify: () => Promise.reject(new Error('no face models in this test')),
  probe: () => Promise.reject(new Error('no face models in this test')),
  analyse: () => Promise.reject(new Error('no face models in this test')),
};

/** A ClickHouse client for tests that never query events: every call fails. */
export const noClickHouse = {
  query: () => Promise.reject(new Error('no ClickHouse in this test')),
  ping: () => Promise.resolve({ success: false, error: new Error('no ClickHouse in this test') }),
} as unknown as ClickHouseClient;

export interface TestApiOptions {
  readonly db: Db;
  readonly clickhouse?: ClickHouseClient;
  readonly faces?: FaceService;
  readonly config?: Partial<ApiConfig>;
  /**
   * Who a request without an Authorization header acts as: a fresh administrator (the default, so tests of
   * resources need not log in) or nobody (`anonymous`: the real 401s). A request with the header is judged as sent.
   */
  readonly as?: 'admin' | 'anonymous';
  readonly deps?: Partial<Pick<ApiDeps, 'loginLimits' | 'clock' | 'audit' | 'cameras' | 'clipsDir' | 'framesDir'>>;
}

let users = 0;

/** A user with a role (built-in by name, or a role id) and a token; `headers` authenticate a request as them. */
export async function testUser(
  db: Db,
  o: { readonly role: string | number; readonly name?: string; readonly role_ids?: readonly number[]; readonly superuser?: boolean },
): Promise<{ user: User; key: string; headers: { authorization: string } }> {
  const roleId = typeof o.role === 'number' ? o.role : (await getRoleByName(db, o.role))?.id;
  if (roleId === undefined) throw new Error(`no role ${o.role}`);
  const name = o.name ?? `test-${typeof o.role === 'number' ? 'role' : o.role}-${process.pid}-${++users}`;
  const user = await createUser(db, { name, primary_role_id: roleId, ...(o.role_ids ? { role_ids: o.role_ids } : {}), ...(o.superuser ? { superuser: true } : {}) });
  const { key } = await createToken(db, { user_id: user.id, name: 'test' });
  return { user, key, headers: { authorization: `Bearer ${key}` } };
}

export async function testApi(o: TestApiOptions): Promise<FastifyInstance> {
  const config = await loadConfig(undefined);
  const clock = o.deps?.clock ?? Date.now;
  const real = createAuthorizer({ db: o.db, clock });
  const admin = (o.as ?? 'admin') === 'admin' ? await testUser(o.db, { role: 'admin' }) : undefined;
  const app = await buildApi(
    {
      db: o.db,
      clickhouse: o.clickhouse ?? noClickHouse,
      faces: o.faces ?? noFaces,
      enrol: config.enrol,
      ...o.deps,
      // the real authoriser; a request that brings no credentials is the test administrator's
      authorize: (request) => {
        if (admin && request.headers.authorization === undefined) request.headers.authorization = admin.headers.authorization;
        return real(request);
      },
    },
    apiConfig(o.config),
  );
  await app.ready();
  return app;
}

export interface TestStores {
  readonly store: TestStore;
  readonly db: Db;
  close(): Promise<void>;
}

/**
 * Both stores of a test file: chdb in a temporary directory and an in-memory PGlite, migrated, with `events` written
 * through the analytics writer (camera groups by `cameraGroupOf`); close() ends both.
 */
export async function testStores(o: { readonly events?: readonly FaceEvent[]; readonly cameraGroupOf?: (camera: string) => string | undefined } = {}): Promise<TestStores> {
  const store = await openTestStore();
  if (o.events) await createAnalyticsWriter({ client: store.client, ...(o.cameraGroupOf ? { cameraGroupOf: o.cameraGroupOf } : {}) }).writeEvents(o.events);
  const { db } = await openDatabase({});
  return {
    store,
    db,
    async close() {
      await db.close();
      await store.dispose();
    },
  };
}

/** The ids of a list answer (`results`), for filter tests; anything but 200 throws with the body. */
export async function listedIds(app: FastifyInstance, url: string): Promise<string[]> {
  const r = await app.inject({ method: 'GET', url });
  if (r.statusCode !== 200) throw new Error(`GET ${url}: ${r.statusCode} ${r.body}`);
  return (JSON.parse(r.body) as { results: { id: string }[] }).results.map((e) => e.id);
}

/** The project's face models and a face service over them, with the configured thresholds. */
export async function testFaces(): Promise<{ models: FaceModels; faces: FaceService }> {
  const config = await loadConfig(undefined);
  const models = await loadFaceModels({ detect: config.detect, attributes: config.attributes, intraOpThreads: 1 });
  return { models, faces: createFaceService({ models, confidenceThreshold: config.match.confidence_threshold, attributes: config.attributes }) };
}

/** A test event with the vector and model of the face in a shared/data/faces/deepface photo (for searches over events). */
export async function photoEvent(faces: FaceService, file: string, o: Omit<TestEventOptions, 'vector' | 'modelId'>): Promise<FaceEvent> {
  const probe = await faces.probe(await readPhoto(deepfacePath(file)), file);
  return testEvent({ ...o, vector: probe.vector, modelId: probe.modelId });
}

/** A photo of shared/data/faces/deepface as an event (photoEvent's options). */
export type PhotoEventSpec = { readonly file: string } & Omit<TestEventOptions, 'vector' | 'modelId'>;

export interface PhotoEventsApi {
  readonly models: FaceModels;
  readonly faces: FaceService;
  readonly stores: TestStores;
  readonly app: FastifyInstance;
  /** camera groups of the identity store: cam-a's, and every other camera's */
  readonly g1: number;
  readonly g2: number;
  /** closes the API, the stores and the models */
  close(): Promise<void>;
}

/**
 * For tests on real faces: the face models, both stores with camera groups g1 (cam-a) and g2 (any other camera),
 * the events `events(db)` names written to chdb with their photos' vectors (called after the groups are made, so it
 * may make what its events refer to), and the API over it all.
 */
export async function photoEventsApi(events: (db: Db) => Promise<readonly PhotoEventSpec[]>): Promise<PhotoEventsApi> {
  const { models, faces } = await testFaces();
  const stores = await testStores();
  const { store, db } = stores;
  const g1 = (await createCameraGroup(db, { name: 'g1' })).id;
  const g2 = (await createCameraGroup(db, { name: 'g2' })).id;
  const written = [];
  for (const { file, ...e } of await events(db)) written.push(await photoEvent(faces, file, e));
  await createAnalyticsWriter({ client: store.client, cameraGroupOf: (c) => String(c === 'cam-a' ? g1 : g2) }).writeEvents(written);
  const app = await testApi({ db, clickhouse: store.client, faces });
  return {
    models,
    faces,
    stores,
    app,
    g1,
    g2,
    async close() {
      await app.close();
      await stores.close();
      await models.close();
    },
  };
}

export interface Part {
  readonly name: string;
  readonly value: string | Uint8Array;
  readonly filename?: string;
  readonly type?: string;
}

/** A multipart/form-data body and its content type. */
export function multipart(parts: readonly Part[]): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----facestream${Math.random().toString(16).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const file = p.filename !== undefined ? `; filename="${p.filename}"` : '';
    const type = p.filename !== undefined ? `\r\nContent-Type: ${p.type ?? 'application/octet-stream'}` : '';
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"${file}${type}\r\n\r\n`));
    chunks.push(typeof p.value === 'string' ? Buffer.from(p.value) : Buffer.from(p.value));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}
