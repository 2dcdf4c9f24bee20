// For the API's tests: an app over given stores, with the project's face models (loaded once per test file) or
// a face service that must not be called, and multipart bodies built by hand.
import type { ClickHouseClient } from '@clickhouse/client';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../config/load.ts';
import { loadFaceModels } from '../models/face-models.ts';
import type { FaceModels } from '../models/face-models.types.ts';
import type { Db } from '../stores/postgres/db.ts';
import { buildApi } from './app.ts';
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
}

export async function testApi(o: TestApiOptions): Promise<FastifyInstance> {
  const config = await loadConfig(undefined);
  const app = await buildApi(
    { db: o.db, clickhouse: o.clickhouse ?? noClickHouse, faces: o.faces ?? noFaces, enrol: config.enrol },
    apiConfig(o.config),
  );
  await app.ready();
  return app;
}

/** The project's face models and a face service over them, with the configured thresholds. */
export async function testFaces(): Promise<{ models: FaceModels; faces: FaceService }> {
  const config = await loadConfig(undefined);
  const models = await loadFaceModels({ detect: config.detect, attributes: config.attributes, intraOpThreads: 1 });
  return { models, faces: createFaceService({ models, confidenceThreshold: config.match.confidence_threshold, attributes: config.attributes }) };
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
