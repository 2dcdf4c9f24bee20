// What buildApi needs from the composition root (cli/serve.ts, tests): the opened stores and the face service.
import type { ClickHouseClient } from '@clickhouse/client';
import type { FastifyRequest } from 'fastify';
import type { Db } from '../stores/postgres/db.ts';
import type { EnrolConfig } from '../pipelines/match/config.ts';
import type { FaceService } from './photos/face-service.ts';
import type { AuditLogWriter } from '../stores/clickhouse/audit-log.ts';
import type { LoginLimits } from './routes/auth.ts';
import type { Registry } from 'prom-client';
import type { CameraRuntime } from '../pipelines/cameras/manager.ts';

export interface ApiDeps {
  /** identity store (PostgreSQL or PGlite), migrated */
  readonly db: Db;
  /** analytics store (ClickHouse or chdb), migrated */
  readonly clickhouse: ClickHouseClient;
  /** detection, enrolment and verification on the project's face models */
  readonly faces: FaceService;
  /** enrolment defaults (config `enrol`); the runtime setting `minimum_dossier_quality` overrides the gate */
  readonly enrol: EnrolConfig;
  /**
   * The authentication/authorisation seam: runs on onRequest of every /api/v1 route (before the body is read), sets
   * `request.principal` and throws an ApiError to refuse. Absent = the token authoriser over `db`
   * (api/auth/authorize.ts); tests wrap it (api/testing.ts).
   */
  readonly authorize?: (request: FastifyRequest) => Promise<void>;
  /** where audit rows go; absent = batched into `clickhouse`'s audit_log (stores/clickhouse/audit-log.ts) */
  readonly audit?: AuditLogWriter;
  /** login attempt limits per client IP and per user name; absent = DEFAULT_LOGIN_LIMITS (api/routes/auth.ts) */
  readonly loginLimits?: LoginLimits;
  /** ms since the epoch: token expiry and use, audit times, login limits; absent = Date.now */
  readonly clock?: () => number;
  /** where episode clips are kept (stores/frames/layout.ts clipsRoot); absent = no clips, GET /episodes/{id}/clip is 404 */
  readonly clipsDir?: string;
  /** the frame store's directory (frame_store.dir): events' full frames and crops, camera screenshots, dossier face photos; absent = their images are 404 */
  readonly framesDir?: string;
  /** the cameras this process runs (serve): told of camera changes, asked for their health; absent = none here */
  readonly cameras?: CameraRuntime;
  /** more metrics served at /metrics beside the API's (the pipeline's, in serve) */
  readonly metrics?: Registry;
  /** pino logger options or false; default: off */
  readonly logger?: boolean | { readonly level: string };
}
