// The audit log (GET /audit-log): one entry per mutating request.
import { Type, type Static } from '@sinclair/typebox';
import { DateTime } from './common.ts';

export const AuditEntryView = Type.Object({
  id: Type.String({ description: 'request id' }),
  created_date: DateTime(),
  user_id: Type.String({ description: "'' when nobody was authenticated" }),
  user_name: Type.String({ description: 'the user, or the name a failed login gave' }),
  method: Type.String(),
  route: Type.String(),
  status_code: Type.Integer(),
  body_digest: Type.String({ description: "SHA-256 of the request body, hex; '' when it was refused before being read" }),
  object_kind: Type.String(),
  object_id: Type.String(),
  ip: Type.String(),
});

export const AuditQuery = Type.Object({
  user: Type.Optional(Type.String({ description: 'user name' })),
  user_id: Type.Optional(Type.String()),
  created_date_gte: Type.Optional(DateTime('entries at or after')),
  created_date_lt: Type.Optional(DateTime('entries before')),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  page: Type.Optional(Type.String({ description: 'cursor: `next_page` of the previous answer' })),
});
export type AuditQuery = Static<typeof AuditQuery>;

export const AuditList = Type.Object({
  results: Type.Array(AuditEntryView),
  next_page: Type.Union([Type.String(), Type.Null()]),
});
