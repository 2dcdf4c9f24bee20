// /api/v1/camera-groups: FindFace's camera groups.
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { createCameraGroup, deleteCameraGroup, getCameraGroup, listCameraGroups, updateCameraGroup } from '../../stores/postgres/repositories/camera-groups.ts';
import { setCameraGroupAccess } from '../../stores/postgres/repositories/roles.ts';
import { createOwned, principalOf, requireAccess, visibleIds } from '../auth/principal.ts';
import { notFound } from '../errors.ts';
import { idPage, pageResult } from '../pagination.ts';
import { IdParams, errors } from '../schemas/common.ts';
import { CameraGroup, CameraGroupCreate, CameraGroupList, CameraGroupPatch, CameraGroupQuery } from '../schemas/camera-groups.ts';

const tags = ['camera groups'];

export async function cameraGroupRoutes(app: FastifyInstance): Promise<void> {
  app.post<{ Body: CameraGroupCreate }>(
    '',
    { schema: { tags, summary: 'Create a camera group', body: CameraGroupCreate, response: { 201: Type.Ref(CameraGroup), ...errors(409) } } },
    async (req, reply) => {
      const group = await createOwned(app.db, principalOf(req), (q) => createCameraGroup(q, req.body), setCameraGroupAccess);
      return reply.status(201).send(group);
    },
  );

  app.get<{ Querystring: CameraGroupQuery }>(
    '',
    { schema: { tags, summary: 'List camera groups', querystring: CameraGroupQuery, response: { 200: CameraGroupList, ...errors() } } },
    async (req) => {
      const ids = visibleIds(principalOf(req), 'camera group');
      const rows = await listCameraGroups(app.db, { ...idPage(req.query), ...(req.query.active !== undefined ? { active: req.query.active } : {}), ...(ids ? { ids } : {}) });
      return pageResult(rows, req.query);
    },
  );

  app.get<{ Params: IdParams }>(
    '/:id',
    { schema: { tags, summary: 'Get a camera group', params: IdParams, response: { 200: Type.Ref(CameraGroup), ...errors(404) } } },
    async (req) => {
      requireAccess(principalOf(req), 'camera group', req.params.id, 'view');
      return (await getCameraGroup(app.db, req.params.id)) ?? Promise.reject(notFound('camera group', req.params.id));
    },
  );

  app.patch<{ Params: IdParams; Body: CameraGroupPatch }>(
    '/:id',
    { schema: { tags, summary: 'Change a camera group', params: IdParams, body: CameraGroupPatch, response: { 200: Type.Ref(CameraGroup), ...errors(404, 409) } } },
    async (req) => {
      requireAccess(principalOf(req), 'camera group', req.params.id, 'change');
      return (await updateCameraGroup(app.db, req.params.id, req.body)) ?? Promise.reject(notFound('camera group', req.params.id));
    },
  );

  app.delete<{ Params: IdParams }>(
    '/:id',
    {
      schema: {
        tags,
        summary: 'Delete a camera group (refused while it has cameras)',
        params: IdParams,
        response: { 204: Type.Null({ description: 'deleted' }), ...errors(404, 409) },
      },
    },
    async (req, reply) => {
      requireAccess(principalOf(req), 'camera group', req.params.id, 'change');
      if (!(await deleteCameraGroup(app.db, req.params.id))) throw notFound('camera group', req.params.id);
      return reply.status(204).send();
    },
  );
}
