// What buildApi needs from the composition root (cli/serve.ts, tests): the opened stores and the face service.
import type { ClickHouseClient } from '@clickhouse/client';
import type { FastifyRequest } from 'fastify';
import type { Db } from '../stores/postgres/db.ts';
import type { EnrolConfig } from '../pipelines/match/config.ts';
import type { FaceService } from './photos/face-service.ts';

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
   * The authentication/authorisation seam: runs as a preHandler of every /api/v1 route and throws an ApiError to
   * refuse. Absent = every request is let through (auth comes with a later step of issue 4).
   */
  readonly authorize?: (request: FastifyRequest) => Promise<void>;
  /** pino logger options or false; default: off */
  readonly logger?: boolean | { readonly level: string };
}
