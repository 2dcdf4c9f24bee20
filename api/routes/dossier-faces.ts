// /api/v1/dossier-faces: a photo uploaded as multipart/form-data becomes a dossier face: decoded with FindFace's
// limits (413/415), its face chosen by `mf_selector` and gated by `minimum_dossier_quality` (422 with the reason),
// embedded and stored with its vector (which never leaves the API); then past events are searched for it (retro-match).
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { createDossierFace, deleteDossierFace, getDossierFace, listDossierFaces } from '../../stores/postgres/repositories/dossier-faces.ts';
import { getDossier } from '../../stores/postgres/repositories/dossiers.ts';
import { getSettings } from '../../stores/postgres/repositories/settings.ts';
import type { DossierFace as DossierFaceRow } from '../../stores/postgres/rows.ts';
import { principalOf, requireDossierAccess, visibleIds, type Principal } from '../auth/principal.ts';
import { ApiError, notFound } from '../errors.ts';
import { idPage, pageResult } from '../pagination.ts';
import { decodeUpload } from '../photos/decode-upload.ts';
import { MULTIPART, requireMultipart } from '../plugins/multipart.ts';
import { IdParams, errors } from '../schemas/common.ts';
import { DossierFace, DossierFaceList, DossierFaceQuery, DossierFaceUpload } from '../schemas/dossier-faces.ts';

const tags = ['dossier faces'];

/** The face without its vector. */
const view = ({ embedding: _embedding, thumbnail: _t, source_photo: _s, ...rest }: DossierFaceRow) => rest;

export async function dossierFaceRoutes(app: FastifyInstance): Promise<void> {
  /** The face, if the user sees its dossier (`need` = change: may change the dossier); 404 otherwise. */
  async function faceFor(p: Principal, id: number, need: 'view' | 'change'): Promise<DossierFaceRow> {
    const face = await getDossierFace(app.db, id);
    const dossier = face && (await getDossier(app.db, face.dossier_id));
    if (!face || !dossier) throw notFound('dossier face', id);
    try {
      requireDossierAccess(p, dossier, need);
    } catch (err) {
      throw err instanceof ApiError && err.code === 'FS_ERR_NOT_FOUND' ? notFound('dossier face', id) : err;
    }
    return face;
  }

  app.post<{ Body: DossierFaceUpload }>(
    '',
    {
      bodyLimit: app.photoLimits.maxBytes + 1024 * 1024,
      preValidation: requireMultipart,
      schema: {
        tags,
        summary: 'Add a face to a dossier from an uploaded photo',
        description:
          'multipart/form-data with `dossier`, `source_photo` (a file) and optionally `mf_selector`. 413: photo over the size or pixel limit; 415: not an accepted image format; 422: no usable face (`reason`: no_face, several_faces, low_quality, unreadable).',
        consumes: [MULTIPART],
        body: DossierFaceUpload,
        response: { 201: Type.Ref(DossierFace), ...errors(404, 413, 415, 422) },
      },
    },
    async (req, reply) => {
      const { dossier: dossierId, source_photo: file } = req.body;
      const target = await getDossier(app.db, dossierId);
      if (!target) throw new ApiError('FS_ERR_NOT_FOUND', `dossier ${dossierId} not found`, 'dossier');
      requireDossierAccess(principalOf(req), target, 'change');
      const image = await decodeUpload(file, app.photoLimits);
      const settings = await getSettings(app.db);
      const rules = {
        mf_selector: req.body.mf_selector ?? app.enrolDefaults.mf_selector,
        minimum_dossier_quality: settings.minimum_dossier_quality ?? app.enrolDefaults.minimum_dossier_quality,
      };
      const enrolled = await app.faces.enrol(image, 'source_photo', rules);
      const { box } = enrolled.face;
      const face = await createDossierFace(app.db, {
        dossier_id: dossierId,
        model_id: enrolled.modelId,
        embedding: enrolled.vector,
        quality: Math.max(-20, Math.min(1, enrolled.face.quality)),
        // the store keeps whole pixels: the smallest integer box around the detection
        bbox: { left: Math.floor(box.x1), top: Math.floor(box.y1), right: Math.max(Math.ceil(box.x2), Math.floor(box.x1) + 1), bottom: Math.max(Math.ceil(box.y2), Math.floor(box.y1) + 1) },
        source_photo_name: file.filename.slice(0, 256),
      });
      // in the background (api/retro-match/matcher.ts): a long window should not hold the upload. An inactive dossier
      // takes no part in identification, so neither in retro-matching
      if (target.active) void app.retroMatch.afterEnrolment({ faceId: face.id, dossierId, watchListIds: target.watch_list_ids, modelId: enrolled.modelId, vector: enrolled.vector });
      return reply.status(201).send(view(face));
    },
  );

  app.get<{ Querystring: DossierFaceQuery }>(
    '',
    { schema: { tags, summary: 'List dossier faces', querystring: DossierFaceQuery, response: { 200: DossierFaceList, ...errors() } } },
    async (req) => {
      const q = req.query;
      const lists = visibleIds(principalOf(req), 'watch list');
      const rows = await listDossierFaces(app.db, {
        ...idPage(q),
        ...(q.dossier !== undefined ? { dossier_id: q.dossier } : {}),
        ...(lists ? { visible_watch_list_ids: lists } : {}),
      });
      const page = pageResult(rows, q);
      return { ...page, results: page.results.map(view) };
    },
  );

  app.get<{ Params: IdParams }>(
    '/:id',
    { schema: { tags, summary: 'Get a dossier face', params: IdParams, response: { 200: Type.Ref(DossierFace), ...errors(404) } } },
    async (req) => view(await faceFor(principalOf(req), req.params.id, 'view')),
  );

  app.delete<{ Params: IdParams }>(
    '/:id',
    { schema: { tags, summary: 'Delete a dossier face', params: IdParams, response: { 204: Type.Null({ description: 'deleted' }), ...errors(404) } } },
    async (req, reply) => {
      await faceFor(principalOf(req), req.params.id, 'change');
      if (!(await deleteDossierFace(app.db, req.params.id))) throw notFound('dossier face', req.params.id);
      return reply.status(204).send();
    },
  );
}
