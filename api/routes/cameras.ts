// /api/v1/cameras: FindFace's cameras. A URL is refused when its host is in a denied network (deny-networks). In a
// process that runs the cameras (serve), each change is told to its camera manager (which restarts that camera
// alone) and a camera is shown with its live health; its health history comes from ClickHouse (camera_stats).
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { cameraKey } from '../../pipelines/cameras/manager.ts';
import { queryCameraStats } from '../../stores/clickhouse/camera-stats.ts';
import { createCamera, deleteCamera, getCamera, listCameras, restartCamera, updateCamera } from '../../stores/postgres/repositories/cameras.ts';
import { listCameraGroups } from '../../stores/postgres/repositories/camera-groups.ts';
import type { Camera as CameraRow } from '../../stores/postgres/rows.ts';
import { principalOf, requireAccess, visibleIds, type Principal } from '../auth/principal.ts';
import { ApiError, notFound } from '../errors.ts';
import { idPage, pageResult } from '../pagination.ts';
import { IdParams, errors } from '../schemas/common.ts';
import { imageRoute, imageUrl, keptImage, latestFrameRef, sendJpeg } from './images.ts';
import { Camera, CameraCreate, CameraList, CameraPatch, CameraQuery, CameraStatistics, CameraStatisticsQuery } from '../schemas/cameras.ts';

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

  /** The row with its live health, when this process runs the cameras. */
  function withHealth(camera: CameraRow): CameraRow & { screenshot: string; health?: object } {
    const h = app.cameraRuntime?.health(camera.id);
    const screenshot = imageUrl.cameraScreenshot(camera.id);
    if (!h) return { ...camera, screenshot };
    const iso = (ms: number) => new Date(ms).toISOString();
    return { ...camera, screenshot, health: { ...h, since: iso(h.since), last_error_at: h.last_error_at === null ? null : iso(h.last_error_at) } };
  }

  /** Tells the camera manager (it applies the change in the background: stopping a source can take seconds). */
  function changed(camera: { readonly id: number }): void {
    void app.cameraRuntime?.changed(camera.id);
  }

  app.post<{ Body: CameraCreate }>(
    '',
    { schema: { tags, summary: 'Create a camera', body: CameraCreate, response: { 201: Type.Ref(Camera), ...errors(409) } } },
    async (req, reply) => {
      await checkUrl(req.body.url);
      const camera_group_id = req.body.camera_group_id ?? (await defaultGroupId());
      // adding a camera changes its group
      requireAccess(principalOf(req), 'camera group', camera_group_id, 'change');
      const camera = await createCamera(app.db, { ...req.body, camera_group_id });
      changed(camera);
      return reply.status(201).send(withHealth(camera));
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
      return pageResult(rows.map(withHealth), q);
    },
  );

  app.get<{ Params: IdParams }>(
    '/:id',
    { schema: { tags, summary: 'Get a camera', params: IdParams, response: { 200: Type.Ref(Camera), ...errors(404) } } },
    async (req) => withHealth(await cameraFor(principalOf(req), req.params.id, 'view')),
  );

  app.get<{ Params: IdParams; Querystring: CameraStatisticsQuery }>(
    '/:id/statistics',
    {
      schema: {
        tags,
        summary: "A camera's health over time (status, counters, errors)",
        params: IdParams,
        querystring: CameraStatisticsQuery,
        response: { 200: CameraStatistics, ...errors(404) },
      },
    },
    async (req) => {
      const camera = await cameraFor(principalOf(req), req.params.id, 'view');
      const to = req.query.to !== undefined ? Date.parse(req.query.to) : Date.now();
      const from = req.query.from !== undefined ? Date.parse(req.query.from) : to - 3_600_000;
      if (!(from < to)) throw new ApiError('FS_ERR_VALIDATION', 'from: must be before to', 'from');
      return { results: await queryCameraStats(app.clickhouse, { camera: cameraKey(camera.id), from, to, limit: req.query.limit ?? 1000 }) };
    },
  );

  app.get<{ Params: IdParams }>(
    '/:id/screenshot.jpg',
    imageRoute(tags, "The camera's latest kept frame (to draw roi/rot on)", IdParams),
    async (req, reply) => {
      const camera = await cameraFor(principalOf(req), req.params.id, 'view');
      const ref = app.framesDir ? await latestFrameRef(app.framesDir, cameraKey(camera.id)) : null;
      // a screenshot is seconds old at most: the browser asks again soon
      return sendJpeg(reply, await keptImage(app, ref, `screenshot of camera ${camera.id}`), 5);
    },
  );

  app.patch<{ Params: IdParams; Body: CameraPatch }>(
    '/:id',
    { schema: { tags, summary: 'Change a camera', params: IdParams, body: CameraPatch, response: { 200: Type.Ref(Camera), ...errors(404, 409) } } },
    async (req) => {
      const p = principalOf(req);
      await cameraFor(p, req.params.id, 'change');
      if (req.body.camera_group_id !== undefined) requireAccess(p, 'camera group', req.body.camera_group_id, 'change');
      await checkUrl(req.body.url);
      const camera = await updateCamera(app.db, req.params.id, req.body);
      if (!camera) throw notFound('camera', req.params.id);
      changed(camera);
      return withHealth(camera);
    },
  );

  app.post<{ Params: IdParams }>(
    '/:id/restart',
    {
      schema: {
        tags,
        summary: 'Restart a camera',
        description: "FindFace's restart: the camera's source is opened again and its processing starts afresh, wherever it runs (serve's cameras, or the ingest worker that runs it on Kafka); its health counters go on (`job_starts` counts the start). An inactive camera stays stopped.",
        params: IdParams,
        response: { 200: Type.Ref(Camera), ...errors(404) },
      },
    },
    async (req) => {
      await cameraFor(principalOf(req), req.params.id, 'change');
      const camera = await restartCamera(app.db, req.params.id);
      if (!camera) throw notFound('camera', req.params.id);
      changed(camera);
      return withHealth(camera);
    },
  );

  app.delete<{ Params: IdParams }>(
    '/:id',
    { schema: { tags, summary: 'Delete a camera', params: IdParams, response: { 204: Type.Null({ description: 'deleted' }), ...errors(404) } } },
    async (req, reply) => {
      await cameraFor(principalOf(req), req.params.id, 'change');
      if (!(await deleteCamera(app.db, req.params.id))) throw notFound('camera', req.params.id);
      changed(req.params);
      return reply.status(204).send();
    },
  );
}
