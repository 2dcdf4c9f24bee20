// /api/v1/dossiers: FindFace's dossiers (a person: name, comment, custom fields, the watch lists it is on).
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { createDossier, deleteDossier, getDossier, listDossiers, mergeDossiers, updateDossier } from '../../stores/postgres/repositories/dossiers.ts';
import type { Dossier as DossierRow } from '../../stores/postgres/rows.ts';
import { hasPermission, principalOf, requireAccess, requireDossierAccess, visibleIds, type Principal } from '../auth/principal.ts';
import { ApiError, notFound } from '../errors.ts';
import { idPage, pageResult } from '../pagination.ts';
import { IdParams, errors } from '../schemas/common.ts';
import { Dossier, DossierCreate, DossierList, DossierMerge, DossierMerged, DossierPatch, DossierQuery } from '../schemas/dossiers.ts';

const tags = ['dossiers'];

/** Putting a dossier on a list (or taking it off) changes the list. */
const requireListsChangeable = (p: Principal, ids: readonly number[] | undefined): void => ids?.forEach((id) => requireAccess(p, 'watch list', id, 'change'));

export async function dossierRoutes(app: FastifyInstance): Promise<void> {
  async function dossierFor(p: Principal, id: number, need: 'view' | 'change'): Promise<DossierRow> {
    const dossier = await getDossier(app.db, id);
    if (!dossier) throw notFound('dossier', id);
    requireDossierAccess(p, dossier, need);
    return dossier;
  }

  app.post<{ Body: DossierCreate }>(
    '',
    { schema: { tags, summary: 'Create a dossier', body: DossierCreate, response: { 201: Type.Ref(Dossier), ...errors() } } },
    async (req, reply) => {
      requireListsChangeable(principalOf(req), req.body.watch_list_ids);
      return reply.status(201).send(await createDossier(app.db, req.body));
    },
  );

  app.get<{ Querystring: DossierQuery }>(
    '',
    { schema: { tags, summary: 'List dossiers', querystring: DossierQuery, response: { 200: DossierList, ...errors() } } },
    async (req) => {
      const q = req.query;
      const lists = visibleIds(principalOf(req), 'watch list');
      const rows = await listDossiers(app.db, {
        ...idPage(q),
        ...(lists ? { visible_watch_list_ids: lists } : {}),
        ...(q.name_contains !== undefined ? { name_contains: q.name_contains } : {}),
        ...(q.watch_list !== undefined ? { watch_list_id: q.watch_list } : {}),
        ...(q.active !== undefined ? { active: q.active } : {}),
        ...(q.has_faces !== undefined ? { has_faces: q.has_faces } : {}),
      });
      return pageResult(rows, q);
    },
  );

  app.get<{ Params: IdParams }>(
    '/:id',
    { schema: { tags, summary: 'Get a dossier', params: IdParams, response: { 200: Type.Ref(Dossier), ...errors(404) } } },
    async (req) => dossierFor(principalOf(req), req.params.id, 'view'),
  );

  app.patch<{ Params: IdParams; Body: DossierPatch }>(
    '/:id',
    { schema: { tags, summary: 'Change a dossier', params: IdParams, body: DossierPatch, response: { 200: Type.Ref(Dossier), ...errors(404) } } },
    async (req) => {
      const p = principalOf(req);
      await dossierFor(p, req.params.id, 'change');
      requireListsChangeable(p, req.body.watch_list_ids);
      return (await updateDossier(app.db, req.params.id, req.body)) ?? Promise.reject(notFound('dossier', req.params.id));
    },
  );

  app.delete<{ Params: IdParams }>(
    '/:id',
    { schema: { tags, summary: 'Delete a dossier with its faces', params: IdParams, response: { 204: Type.Null({ description: 'deleted' }), ...errors(404) } } },
    async (req, reply) => {
      await dossierFor(principalOf(req), req.params.id, 'change');
      if (!(await deleteDossier(app.db, req.params.id))) throw notFound('dossier', req.params.id);
      return reply.status(204).send();
    },
  );

  app.post<{ Params: IdParams; Body: DossierMerge }>(
    '/:id/merge',
    {
      schema: {
        tags,
        summary: 'Merge another dossier into this one',
        description:
          "The duplicate-dossier answer (FindFace: merge): the faces of `from` move to this dossier and `from` is deleted. Needs change on both dossiers and the delete_dossier permission; this dossier's name, fields and watch lists stay.",
        params: IdParams,
        body: DossierMerge,
        response: { 200: DossierMerged, ...errors(404) },
      },
    },
    async (req) => {
      const p = principalOf(req);
      const { id } = req.params;
      const { from } = req.body;
      if (from === id) throw new ApiError('FS_ERR_VALIDATION', 'from: a dossier cannot be merged into itself', 'from');
      await dossierFor(p, id, 'change');
      const other = await getDossier(app.db, from);
      if (!other) throw new ApiError('FS_ERR_NOT_FOUND', `dossier ${from} not found`, 'from');
      requireDossierAccess(p, other, 'change');
      if (!hasPermission(p, 'delete_dossier')) throw new ApiError('FS_ERR_FORBIDDEN', 'merging deletes the other dossier: needs permission delete_dossier');
      const moved = await mergeDossiers(app.db, id, from);
      const dossier = moved === undefined ? undefined : await getDossier(app.db, id);
      if (moved === undefined || !dossier) throw notFound('dossier', moved === undefined ? from : id);
      return { dossier, faces_moved: moved, deleted: from };
    },
  );
}
