// /api/v1/audit-log: the audit trail of mutating requests (administrators), newest first, by user and time.
import type { FastifyInstance } from 'fastify';
import { auditRow, queryAuditLog } from '../../stores/clickhouse/audit-log.ts';
import { errors } from '../schemas/common.ts';
import { AuditList, AuditQuery } from '../schemas/audit-log.ts';

export async function auditLogRoutes(app: FastifyInstance): Promise<void> {
  app.get<{ Querystring: AuditQuery }>(
    '',
    {
      schema: {
        tags: ['audit'],
        summary: 'The audit log: every POST, PUT, PATCH and DELETE under /api/v1 (login attempts included)',
        description: 'Newest first; follow `next_page` with `page`. Rows reach the log within about a second of the answer.',
        querystring: AuditQuery,
        response: { 200: AuditList, ...errors(403) },
      },
    },
    async (req) => {
      const q = req.query;
      const page = await queryAuditLog(app.clickhouse, {
        ...(q.user !== undefined ? { userName: q.user } : {}),
        ...(q.user_id !== undefined ? { userId: q.user_id } : {}),
        ...(q.created_date_gte !== undefined ? { from: Date.parse(q.created_date_gte) } : {}),
        ...(q.created_date_lt !== undefined ? { to: Date.parse(q.created_date_lt) } : {}),
        limit: q.limit ?? 100,
        cursor: q.page ?? null,
      });
      return {
        results: page.entries.map((e) => {
          const { ts, details: _details, ...row } = auditRow(e);
          return { ...row, created_date: new Date(ts).toISOString() };
        }),
        next_page: page.nextCursor,
      };
    },
  );
}
