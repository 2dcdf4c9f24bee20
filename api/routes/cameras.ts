// /api/v1/cameras: FindFace's cameras. A URL is refused when its host is in a denied network (deny-networks).
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { createCamera, deleteCamera, getCamera, listCameras, updateCamera } from '../../stores/postgres/repositories/cameras.ts';
import { listCameraGroups } from '../../stores/postgres/repositories/camera-groups.ts';
import type { Camera as CameraRow } from '../../stores/postgres/rows.ts';
import { principalOf, requireAccess, visibleIds, type Principal } from '../auth/principal.ts';
import { ApiError, notFound } from '../errors.ts';
import { idPage, pageResult } from '../pagination.ts';
import { IdParams, errors } from '../schemas/common.ts';
import { Camera, CameraCreate, CameraList, CameraPatch, CameraQuery } from '../schemas/cameras.ts';

const tags = ['cameras'];

export async function cameraRoutes(app: FastifyInstance): Promise<void> {
  async function checkUrl(url: string | undefined): Promise<void> {
    if (url === undefined) return;
    const verdict = await app.checkUrl(url);
    if (!verdict.ok) throw new ApiError('FS_ERR_URL_DENIED', `url: ${verdict.reason}`, 'url', 'denied_network');
  }

  /** The preconfigured Default group (FindFace creates cameras there when no group is given). */
  async function defaultGroupId(): Promise<number> {
    const groups = await listCameraGroups(app.db, { limit: 1000 });
    const found = groups.find((g) => g.name === 'Default') ?? groups[0];
    if (!found) throw new ApiError('FS_ERR_VALIDATION', 'camera_group_id: required (there is no camera group)', 'camera_group_id');
    return found.id;
  }

  /** The camera, if the user sees its group (`need` = change: may change it); 404 otherwise. */
  async function cameraFor(p: Principal, id: number, need: 'view' | 'change'): Promise<CameraRow> {
    const camera = await getCamera(app.db, id);
    if (!camera) throw notFound('camera', id);
    try {
      requireAccess(p, 'camera group', camera.camera_group_id, need);
    } catch (err) {
      // a camera of an unseen group is unknown to this user: say so about the camera, not its group
      throw err instanceof ApiError && err.code === 'FS_ERR_NOT_FOUND' ? notFound('camera', id) : err;
    }
    return camera;
  }

  app.post<{ Body: CameraCreate }>(
    '',
    { schema: { tags, summary: 'Create a camera', body: CameraCreate, response: { 201: Type.Ref(Camera), ...errors(409) } } },
    async (req, reply) => {
      await checkUrl(req.body.url);
      const camera_group_id = req.body.camera_group_id ?? (await defaultGroupId());
      // adding a camera changes its group
      requireAccess(principalOf(req), 'camera group', camera_group_id, 'change');
      return reply.status(201).send(await createCamera(app.db, { ...req.body, camera_group_id }));
    },
  );

  app.get<{ Querystring: CameraQuery }>(
    '',
    { schema: { tags, summary: 'List cameras', querystring: CameraQuery, response: { 200: CameraList, ...errors() } } },
    async (req) => {
      const q = req.query;
      const groups = visibleIds(principalOf(req), 'camera group');
      const rows = await listCameras(app.db, {
        ...idPage(q),
        ...(groups ? { camera_group_ids: groups } : {}),
        ...(q.camera_group !== undefined ? { camera_group_id: q.camera_group } : {}),
        ...(q.active !== undefined ? { active: q.active } : {}),
      });
      return pageResult(rows, q);
    },
  );

  app.get<{ Params: IdParams }>(
    '/:id',
    { schema: { tags, summary: 'Get a camera', params: IdParams, response: { 200: Type.Ref(Camera), ...errors(404) } } },
    async (req) => cameraFor(principalOf(req), req.params.id, 'view'),
  );

  app.patch<{ Params: IdParams; Body: CameraPatch }>(
    '/:id',
    { schema: { tags, summary: 'Change a camera', params: IdParams, body: CameraPatch, response: { 200: Type.Ref(Camera), ...errors(404, 409) } } },
    async (req) => {
      const p = principalOf(req);
      await cameraFor(p, req.params.id, 'change');
      if (req.body.camera_group_id !== undefined) requireAccess(p, 'camera group', req.body.camera_group_id, 'change');
      await checkUrl(req.body.url);
      return (await updateCamera(app.db, req.params.id, req.body)) ?? Promise.reject(notFound('camera', req.params.id));
    },
  );

  app.delete<{ Params: IdParams }>(
    '/:id',
    { schema: { tags, summary: 'Delete a camera', params: IdParams, response: { 204: Type.Null({ description: 'deleted' }), ...errors(404) } } },
    async (req, reply) => {
      await cameraFor(principalOf(req), req.params.id, 'change');
      if (!(await deleteCamera(app.db, req.params.id))) throw notFound('camera', req.params.id);
      return reply.status(204).send();
    },
  );
}
