// /api/v1/roles: FindFace's groups of rights: permission codenames, and per camera group / watch list access
// (none, view, change). The built-in admin, operator and viewer can be changed, not deleted (409 FS_ERR_BUILTIN).
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { createRole, deleteRole, getObjectPermissions, getRole, listRoles, setCameraGroupAccess, setWatchListAccess, updateRole } from '../../stores/postgres/repositories/roles.ts';
import type { Queryable } from '../../stores/postgres/db.ts';
import type { ObjectAccess } from '../../stores/postgres/rows.ts';
import { notFound } from '../errors.ts';
import { idPage, pageResult } from '../pagination.ts';
import { IdParams, errors } from '../schemas/common.ts';
import { ObjectAccessBody, ObjectRights, RoleCreate, RoleList, RoleObjectParams, RolePatch, RoleQuery, RoleView } from '../schemas/roles.ts';

const tags = ['roles'];

type SetAccess = (q: Queryable, roleId: number, objectId: number, access: ObjectAccess | null) => Promise<void>;

export async function roleRoutes(app: FastifyInstance): Promise<void> {
  app.post<{ Body: RoleCreate }>(
    '',
    { schema: { tags, summary: 'Create a role', body: RoleCreate, response: { 201: Type.Ref(RoleView), ...errors(409) } } },
    async (req, reply) => reply.status(201).send(await createRole(app.db, req.body)),
  );

  app.get<{ Querystring: RoleQuery }>(
    '',
    { schema: { tags, summary: 'List roles', querystring: RoleQuery, response: { 200: RoleList, ...errors() } } },
    async (req) => pageResult(await listRoles(app.db, idPage(req.query)), req.query),
  );

  app.get<{ Params: IdParams }>(
    '/:id',
    { schema: { tags, summary: 'Get a role', params: IdParams, response: { 200: Type.Ref(RoleView), ...errors(404) } } },
    async (req) => (await getRole(app.db, req.params.id)) ?? Promise.reject(notFound('role', req.params.id)),
  );

  app.patch<{ Params: IdParams; Body: RolePatch }>(
    '/:id',
    { schema: { tags, summary: 'Change a role', params: IdParams, body: RolePatch, response: { 200: Type.Ref(RoleView), ...errors(404, 409) } } },
    async (req) => (await updateRole(app.db, req.params.id, req.body)) ?? Promise.reject(notFound('role', req.params.id)),
  );

  app.delete<{ Params: IdParams }>(
    '/:id',
    {
      schema: {
        tags,
        summary: "Delete a custom role (refused for built-in roles and while it is someone's primary role)",
        params: IdParams,
        response: { 204: Type.Null({ description: 'deleted' }), ...errors(404, 409) },
      },
    },
    async (req, reply) => {
      if (!(await deleteRole(app.db, req.params.id))) throw notFound('role', req.params.id);
      return reply.status(204).send();
    },
  );

  app.get<{ Params: IdParams }>(
    '/:id/objects',
    { schema: { tags, summary: "The role's rights on camera groups and watch lists", params: IdParams, response: { 200: ObjectRights, ...errors(404) } } },
    async (req) => {
      if (!(await getRole(app.db, req.params.id))) throw notFound('role', req.params.id);
      return getObjectPermissions(app.db, req.params.id);
    },
  );

  const objectRoute = (path: string, what: string, set: SetAccess) =>
    app.put<{ Params: RoleObjectParams; Body: ObjectAccessBody }>(
      path,
      {
        schema: {
          tags,
          summary: `Set the role's access to one ${what}: none, view or change`,
          params: RoleObjectParams,
          body: ObjectAccessBody,
          response: { 200: ObjectRights, ...errors(404) },
        },
      },
      async (req) => {
        const { id, object_id } = req.params;
        if (!(await getRole(app.db, id))) throw notFound('role', id);
        // an unknown object id is a foreign-key error: 400 naming object_id
        await set(app.db, id, object_id, req.body.access === 'none' ? null : req.body.access);
        return getObjectPermissions(app.db, id);
      },
    );
  objectRoute('/:id/camera-groups/:object_id', 'camera group', setCameraGroupAccess);
  objectRoute('/:id/watch-lists/:object_id', 'watch list', setWatchListAccess);
}
