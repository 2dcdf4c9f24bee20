// /api/v1/watch-lists: FindFace's dossier lists. The built-in Unmatched list (id -1) can be changed (colour,
// notify, acknowledge, threshold …) but not deleted, renamed or purged (it holds no dossiers).
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { createWatchList, deleteWatchList, getWatchList, listWatchLists, purgeWatchList, updateWatchList } from '../../stores/postgres/repositories/watch-lists.ts';
import { setWatchListAccess } from '../../stores/postgres/repositories/roles.ts';
import { UNMATCHED_WATCH_LIST_ID } from '../../stores/postgres/rows.ts';
import { createOwned, principalOf, requireAccess, visibleIds } from '../auth/principal.ts';
import { ApiError, notFound } from '../errors.ts';
import { idPage, pageResult } from '../pagination.ts';
import { IdParams, errors } from '../schemas/common.ts';
import { PurgeResult, WatchList, WatchListCreate, WatchListList, WatchListPatch, WatchListQuery } from '../schemas/watch-lists.ts';

const tags = ['watch lists'];

export async function watchListRoutes(app: FastifyInstance): Promise<void> {
  app.post<{ Body: WatchListCreate }>(
    '',
    { schema: { tags, summary: 'Create a watch list', body: WatchListCreate, response: { 201: Type.Ref(WatchList), ...errors(409) } } },
    async (req, reply) => {
      const list = await createOwned(app.db, principalOf(req), (q) => createWatchList(q, req.body), setWatchListAccess);
      return reply.status(201).send(list);
    },
  );

  app.get<{ Querystring: WatchListQuery }>(
    '',
    { schema: { tags, summary: 'List watch lists (the Unmatched list first)', querystring: WatchListQuery, response: { 200: WatchListList, ...errors() } } },
    async (req) => {
      const q = req.query;
      const ids = visibleIds(principalOf(req), 'watch list');
      const rows = await listWatchLists(app.db, {
        ...idPage(q),
        ...(ids ? { ids } : {}),
        ...(q.active !== undefined ? { active: q.active } : {}),
        ...(q.camera_group !== undefined ? { camera_group_id: q.camera_group } : {}),
      });
      return pageResult(rows, q);
    },
  );

  app.get<{ Params: IdParams }>(
    '/:id',
    { schema: { tags, summary: 'Get a watch list', params: IdParams, response: { 200: Type.Ref(WatchList), ...errors(404) } } },
    async (req) => {
      requireAccess(principalOf(req), 'watch list', req.params.id, 'view');
      return (await getWatchList(app.db, req.params.id)) ?? Promise.reject(notFound('watch list', req.params.id));
    },
  );

  app.patch<{ Params: IdParams; Body: WatchListPatch }>(
    '/:id',
    { schema: { tags, summary: 'Change a watch list', params: IdParams, body: WatchListPatch, response: { 200: Type.Ref(WatchList), ...errors(404, 409) } } },
    async (req) => {
      requireAccess(principalOf(req), 'watch list', req.params.id, 'change');
      if (req.params.id === UNMATCHED_WATCH_LIST_ID && req.body.name !== undefined) {
        throw new ApiError('FS_ERR_BUILTIN', 'name: the built-in Unmatched list cannot be renamed', 'name');
      }
      return (await updateWatchList(app.db, req.params.id, req.body)) ?? Promise.reject(notFound('watch list', req.params.id));
    },
  );

  app.delete<{ Params: IdParams }>(
    '/:id',
    {
      schema: {
        tags,
        summary: 'Delete a watch list (its dossiers stay); the Unmatched list cannot be deleted',
        params: IdParams,
        response: { 204: Type.Null({ description: 'deleted' }), ...errors(404, 409) },
      },
    },
    async (req, reply) => {
      requireAccess(principalOf(req), 'watch list', req.params.id, 'change');
      if (req.params.id === UNMATCHED_WATCH_LIST_ID) throw new ApiError('FS_ERR_BUILTIN', 'the built-in Unmatched list cannot be deleted');
      if (!(await deleteWatchList(app.db, req.params.id))) throw notFound('watch list', req.params.id);
      return reply.status(204).send();
    },
  );

  app.post<{ Params: IdParams }>(
    '/:id/purge',
    {
      schema: {
        tags,
        summary: 'Delete every dossier on the list, with their faces (FindFace purge)',
        params: IdParams,
        response: { 200: PurgeResult, ...errors(404, 409) },
      },
    },
    async (req) => {
      requireAccess(principalOf(req), 'watch list', req.params.id, 'change');
      if (req.params.id === UNMATCHED_WATCH_LIST_ID) throw new ApiError('FS_ERR_BUILTIN', 'the built-in Unmatched list holds no dossiers to purge');
      if (!(await getWatchList(app.db, req.params.id))) throw notFound('watch list', req.params.id);
      return { deleted: await purgeWatchList(app.db, req.params.id) };
    },
  );
}
