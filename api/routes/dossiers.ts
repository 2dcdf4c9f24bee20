// /api/v1/dossiers: FindFace's dossiers (a person: name, comment, custom fields, the watch lists it is on).
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { createDossier, deleteDossier, getDossier, listDossiers, updateDossier } from '../../stores/postgres/repositories/dossiers.ts';
import { notFound } from '../errors.ts';
import { idPage, pageResult } from '../pagination.ts';
import { IdParams, errors } from '../schemas/common.ts';
import { Dossier, DossierCreate, DossierList, DossierPatch, DossierQuery } from '../schemas/dossiers.ts';

const tags = ['dossiers'];

export async function dossierRoutes(app: FastifyInstance): Promise<void> {
  app.post<{ Body: DossierCreate }>(
    '',
    { schema: { tags, summary: 'Create a dossier', body: DossierCreate, response: { 201: Type.Ref(Dossier), ...errors() } } },
    async (req, reply) => reply.status(201).send(await createDossier(app.db, req.body)),
  );

  app.get<{ Querystring: DossierQuery }>(
    '',
    { schema: { tags, summary: 'List dossiers', querystring: DossierQuery, response: { 200: DossierList, ...errors() } } },
    async (req) => {
      const q = req.query;
      const rows = await listDossiers(app.db, {
        ...idPage(q),
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
    async (req) => (await getDossier(app.db, req.params.id)) ?? Promise.reject(notFound('dossier', req.params.id)),
  );

  app.patch<{ Params: IdParams; Body: DossierPatch }>(
    '/:id',
    { schema: { tags, summary: 'Change a dossier', params: IdParams, body: DossierPatch, response: { 200: Type.Ref(Dossier), ...errors(404) } } },
    async (req) => (await updateDossier(app.db, req.params.id, req.body)) ?? Promise.reject(notFound('dossier', req.params.id)),
  );

  app.delete<{ Params: IdParams }>(
    '/:id',
    { schema: { tags, summary: 'Delete a dossier with its faces', params: IdParams, response: { 204: Type.Null({ description: 'deleted' }), ...errors(404) } } },
    async (req, reply) => {
      if (!(await deleteDossier(app.db, req.params.id))) throw notFound('dossier', req.params.id);
      return reply.status(204).send();
    },
  );
}
