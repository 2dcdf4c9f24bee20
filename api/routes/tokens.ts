// /api/v1/tokens: one's own API tokens (list, make, revoke); with view_token / delete_token, everyone's. A new
// token's key is answered once and stored only as its SHA-256.
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { createToken, deleteToken, getToken, listTokensPage } from '../../stores/postgres/repositories/tokens.ts';
import { hasPermission, principalOf } from '../auth/principal.ts';
import { ApiError, notFound } from '../errors.ts';
import { idPage, pageResult } from '../pagination.ts';
import { IdParams, errors } from '../schemas/common.ts';
import { NewToken, TokenCreate, TokenList, TokenQuery } from '../schemas/tokens.ts';

const tags = ['tokens'];

export async function tokenRoutes(app: FastifyInstance): Promise<void> {
  app.get<{ Querystring: TokenQuery }>(
    '',
    {
      schema: {
        tags,
        summary: "List tokens: one's own; another user's (`user`) or everyone's (`all=true`) with view_token",
        querystring: TokenQuery,
        response: { 200: TokenList, ...errors(403) },
      },
    },
    async (req) => {
      const p = principalOf(req);
      const q = req.query;
      const others = q.all === true || (q.user !== undefined && q.user !== p.user.id);
      if (others && !hasPermission(p, 'view_token')) throw new ApiError('FS_ERR_FORBIDDEN', "other users' tokens: needs permission view_token");
      const user_id = q.all === true ? undefined : (q.user ?? p.user.id);
      return pageResult(await listTokensPage(app.db, { ...idPage(q), ...(user_id !== undefined ? { user_id } : {}) }), q);
    },
  );

  app.post<{ Body: TokenCreate }>(
    '',
    { schema: { tags, summary: 'Make a token for oneself (the key is shown only in this answer)', body: TokenCreate, response: { 201: NewToken, ...errors() } } },
    async (req, reply) => {
      const p = principalOf(req);
      const expires = req.body.expires_date;
      const made = await createToken(app.db, {
        user_id: p.user.id,
        ...(req.body.name !== undefined ? { name: req.body.name } : {}),
        ...(expires !== undefined ? { expires_date: expires === null ? null : new Date(expires) } : {}),
      });
      return reply.status(201).send(made);
    },
  );

  app.delete<{ Params: IdParams }>(
    '/:id',
    { schema: { tags, summary: "Revoke a token: one's own; another user's with delete_token", params: IdParams, response: { 204: Type.Null({ description: 'revoked' }), ...errors(404) } } },
    async (req, reply) => {
      const p = principalOf(req);
      const token = await getToken(app.db, req.params.id);
      // someone else's token is not even shown to exist without the right
      if (!token || (token.user_id !== p.user.id && !hasPermission(p, 'delete_token'))) throw notFound('token', req.params.id);
      await deleteToken(app.db, token.id);
      return reply.status(204).send();
    },
  );
}
