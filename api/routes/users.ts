// /api/v1/users: FindFace's users (administrators only, through the *_user permissions). Passwords go in, are
// hashed (scrypt, api/auth/password.ts) and never come out, nor do their hashes.
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { deleteUserTokens } from '../../stores/postgres/repositories/tokens.ts';
import { createUser, deleteUser, getUser, listUsers, updateUser } from '../../stores/postgres/repositories/users.ts';
import { hashPassword } from '../auth/password.ts';
import { principalOf } from '../auth/principal.ts';
import { ApiError, notFound } from '../errors.ts';
import { idPage, pageResult } from '../pagination.ts';
import { IdParams, errors } from '../schemas/common.ts';
import { UserCreate, UserList, UserPatch, UserQuery, UserView } from '../schemas/users.ts';

const tags = ['users'];

export async function userRoutes(app: FastifyInstance): Promise<void> {
  app.post<{ Body: UserCreate }>(
    '',
    { schema: { tags, summary: 'Create a user', body: UserCreate, response: { 201: Type.Ref(UserView), ...errors(409) } } },
    async (req, reply) => {
      const { password, ...user } = req.body;
      const created = await createUser(app.db, { ...user, ...(password !== undefined ? { password_hash: await hashPassword(password) } : {}) });
      return reply.status(201).send(created);
    },
  );

  app.get<{ Querystring: UserQuery }>(
    '',
    { schema: { tags, summary: 'List users', querystring: UserQuery, response: { 200: UserList, ...errors() } } },
    async (req) => {
      const q = req.query;
      const rows = await listUsers(app.db, { ...idPage(q), ...(q.active !== undefined ? { active: q.active } : {}), ...(q.role !== undefined ? { role_id: q.role } : {}) });
      return pageResult(rows, q);
    },
  );

  app.get<{ Params: IdParams }>(
    '/:id',
    { schema: { tags, summary: 'Get a user', params: IdParams, response: { 200: Type.Ref(UserView), ...errors(404) } } },
    async (req) => (await getUser(app.db, req.params.id)) ?? Promise.reject(notFound('user', req.params.id)),
  );

  app.patch<{ Params: IdParams; Body: UserPatch }>(
    '/:id',
    {
      schema: {
        tags,
        summary: 'Change a user (a new password, or null to remove password login; deactivating ends their tokens)',
        params: IdParams,
        body: UserPatch,
        response: { 200: Type.Ref(UserView), ...errors(404, 409) },
      },
    },
    async (req) => {
      const { password, ...patch } = req.body;
      const password_hash = password === undefined ? undefined : password === null ? null : await hashPassword(password);
      const changed = await updateUser(app.db, req.params.id, { ...patch, ...(password_hash !== undefined ? { password_hash } : {}) });
      if (!changed) throw notFound('user', req.params.id);
      // a new password or a deactivation ends the sessions made with the old state
      if (password !== undefined || patch.active === false) await deleteUserTokens(app.db, req.params.id);
      return changed;
    },
  );

  app.delete<{ Params: IdParams }>(
    '/:id',
    { schema: { tags, summary: 'Delete a user and their tokens (what they created stays)', params: IdParams, response: { 204: Type.Null({ description: 'deleted' }), ...errors(404, 409) } } },
    async (req, reply) => {
      // the last way in might be the caller's own account
      if (principalOf(req).user.id === req.params.id) throw new ApiError('FS_ERR_CONFLICT', 'you cannot delete your own user');
      if (!(await deleteUser(app.db, req.params.id))) throw notFound('user', req.params.id);
      return reply.status(204).send();
    },
  );
}
