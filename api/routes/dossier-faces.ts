// /api/v1/dossier-faces: a photo uploaded as multipart/form-data becomes a dossier face: decoded with FindFace's
// limits (413/415), its face chosen by `mf_selector` and gated by `minimum_dossier_quality` (422 with the reason),
// embedded and stored with its vector (which never leaves the API). Or a stored event's face does (`create_from=
// event:<id>`). Then past events are searched for it (retro-match) and other dossiers holding it are named (duplicates).
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { createDossierFace, deleteDossierFace, getDossierFace, listDossierFaces } from '../../stores/postgres/repositories/dossier-faces.ts';
import { getDossier } from '../../stores/postgres/repositories/dossiers.ts';
import { matchableFacesById } from '../../stores/postgres/repositories/dossier-face-outbox.ts';
import { dossierFaceRecord } from '../../enrolment/watchlist-sync/dossier-face-record.ts';
import { getSettings } from '../../stores/postgres/repositories/settings.ts';
import type { DossierFace as DossierFaceRow, NewDossierFace } from '../../stores/postgres/rows.ts';
import { principalOf, requireDossierAccess, visibleIds, type Principal } from '../auth/principal.ts';
import { ApiError, notFound } from '../errors.ts';
import { idPage, pageResult } from '../pagination.ts';
import { decodeUpload } from '../photos/decode-upload.ts';
import { MULTIPART, requireMultipart, type UploadedFile } from '../plugins/multipart.ts';
import { visibleEvent } from '../search/probe.ts';
import { duplicateDossiers } from '../search/similar-dossiers.ts';
import type { EnrolConfig } from '../../pipelines/match/config.ts';
import { IdParams, errors } from '../schemas/common.ts';
import { dropDossierPhoto, faceCrop, imageRoute, imageUrl, keepDossierPhoto, keptImage, sendJpeg } from './images.ts';
import { DossierFace, DossierFaceAdded, DossierFaceList, DossierFaceQuery, DossierFaceUpload } from '../schemas/dossier-faces.ts';

const tags = ['dossier faces'];

/** A face to store, before it has its dossier. */
type NewFace = Omit<NewDossierFace, 'dossier_id'>;

/** A photo comes as multipart/form-data; `create_from` may also come as JSON. Anything else is 415. */
async function requireMultipartOrJson(request: { headers: Record<string, unknown>; body: unknown }): Promise<void> {
  const json = String(request.headers['content-type'] ?? '').toLowerCase().startsWith('application/json');
  if (!json || (request.body as { source_photo?: unknown } | null)?.source_photo !== undefined) await requireMultipart(request);
}

/** The face without its vector; its photo as a URL (FindFace's thumbnail), when one is kept. */
const view = ({ embedding: _embedding, thumbnail: _t, source_photo, ...rest }: DossierFaceRow) => ({
  ...rest,
  thumbnail: source_photo ? imageUrl.dossierFace(rest.id) : null,
});

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

  /** The face of an uploaded photo, chosen by `mf_selector` and gated by the minimum quality (422 with the reason). */
  async function faceOfPhoto(file: UploadedFile, rules: EnrolConfig): Promise<NewFace> {
    const image = await decodeUpload(file, app.photoLimits);
    const enrolled = await app.faces.enrol(image, 'source_photo', rules);
    const { box } = enrolled.face;
    // kept so that the face can be shown (the upload is otherwise gone once its vector is made)
    const kept = await keepDossierPhoto(app, image);
    return {
      model_id: enrolled.modelId,
      embedding: enrolled.vector,
      quality: enrolled.face.quality,
      bbox: { left: box.x1, top: box.y1, right: box.x2, bottom: box.y2 },
      source_photo_name: file.filename.slice(0, 256),
      ...(kept ? { source_photo: kept } : {}),
    };
  }

  /**
   * The face of a stored event the user may see (404 otherwise, as GET /events/:id), with its vector (422 no_embedding
   * without one) and above the minimum quality (422 low_quality); its full frame, when kept, is the source photo.
   */
  async function faceOfEvent(createFrom: string, p: Principal, minimumQuality: number): Promise<NewFace> {
    const id = createFrom.slice('event:'.length);
    const event = await visibleEvent(app.clickhouse, id, p);
    if (!event) throw new ApiError('FS_ERR_NOT_FOUND', `create_from: event ${id} not found`, 'create_from');
    if (!event.embedding?.length) throw new ApiError('FS_ERR_NO_USABLE_FACE', `create_from: event ${id} holds no face vector`, 'create_from', 'no_embedding');
    if (event.quality < minimumQuality) {
      throw new ApiError(
        'FS_ERR_NO_USABLE_FACE',
        `create_from: the face quality of event ${id}, ${event.quality.toFixed(2)}, is below minimum_dossier_quality ${minimumQuality} (0 best … -5 useless)`,
        'create_from',
        'low_quality',
      );
    }
    const { x1, y1, x2, y2 } = event.bbox;
    return {
      model_id: event.modelId,
      embedding: Float32Array.from(event.embedding),
      quality: event.quality,
      bbox: { left: x1, top: y1, right: x2, bottom: y2 },
      source_photo: event.frame.ref,
      source_photo_name: createFrom,
      create_from: createFrom,
    };
  }

  app.post<{ Body: DossierFaceUpload }>(
    '',
    {
      bodyLimit: app.photoLimits.maxBytes + 1024 * 1024,
      preValidation: requireMultipartOrJson,
      schema: {
        tags,
        summary: 'Add a face to a dossier from an uploaded photo or a stored event',
        description:
          'multipart/form-data with `dossier` and either `source_photo` (a file, optionally with `mf_selector`) or `create_from=event:<id>` (also as a JSON body). ' +
          '404: unknown dossier or event (or one you may not see); 413: photo over the size or pixel limit; 415: not an accepted image format; ' +
          '422: no usable face (`reason`: no_face, several_faces, low_quality, unreadable, no_embedding). ' +
          '`duplicates` warns of other dossiers that already hold this face.',
        consumes: [MULTIPART, 'application/json'],
        body: DossierFaceUpload,
        response: { 201: DossierFaceAdded, ...errors(404, 413, 415, 422) },
      },
    },
    async (req, reply) => {
      const { dossier: dossierId, source_photo: file, create_from: createFrom } = req.body;
      if ((file === undefined) === (createFrom === undefined)) {
        throw new ApiError('FS_ERR_VALIDATION', 'give either source_photo (a photo) or create_from (event:<id>)', file ? 'create_from' : 'source_photo');
      }
      const p = principalOf(req);
      const target = await getDossier(app.db, dossierId);
      if (!target) throw new ApiError('FS_ERR_NOT_FOUND', `dossier ${dossierId} not found`, 'dossier');
      requireDossierAccess(p, target, 'change');
      const settings = await getSettings(app.db);
      const rules = {
        mf_selector: req.body.mf_selector ?? app.enrolDefaults.mf_selector,
        minimum_dossier_quality: settings.minimum_dossier_quality ?? app.enrolDefaults.minimum_dossier_quality,
      };
      const added = file ? await faceOfPhoto(file, rules) : await faceOfEvent(createFrom!, p, rules.minimum_dossier_quality);
      const { bbox } = added;
      const face = await createDossierFace(app.db, {
        ...added,
        dossier_id: dossierId,
        quality: Math.max(-20, Math.min(1, added.quality)),
        // the store keeps whole pixels: the smallest integer box around the detection
        bbox: { left: Math.floor(bbox.left), top: Math.floor(bbox.top), right: Math.max(Math.ceil(bbox.right), Math.floor(bbox.left) + 1), bottom: Math.max(Math.ceil(bbox.bottom), Math.floor(bbox.top) + 1) },
      });
      const found = { dossierId, vector: added.embedding, modelId: added.model_id };
      // in the background (api/retro-match/matcher.ts): a long window should not hold the upload. The face with its
      // lists' rules as the live matcher would hold it; none (an inactive dossier, no active list) takes no part
      if (app.retroMatch.enabled) {
        const [held] = await matchableFacesById(app.db, [face.id]);
        if (held) void app.retroMatch.afterEnrolment({ faceId: face.id, rules: dossierFaceRecord(held).watchListRules, ...found });
      }
      const lists = visibleIds(p, 'watch list');
      const duplicates = await duplicateDossiers(app.db, { ...found, threshold: app.faces.confidenceThreshold, ...(lists ? { visibleWatchListIds: lists } : {}) });
      return reply.status(201).send({ ...view(face), duplicates });
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

  app.get<{ Params: IdParams }>('/:id/thumbnail.jpg', imageRoute(tags, "The dossier face's photo, cut around the face", IdParams), async (req, reply) => {
    const face = await faceFor(principalOf(req), req.params.id, 'view');
    const { left, top, right, bottom } = face.bbox;
    const photo = await keptImage(app, face.source_photo, `photo of dossier face ${face.id}`);
    return sendJpeg(reply, await faceCrop(photo, { x1: left, y1: top, x2: right, y2: bottom }), 86_400);
  });

  app.delete<{ Params: IdParams }>(
    '/:id',
    { schema: { tags, summary: 'Delete a dossier face', params: IdParams, response: { 204: Type.Null({ description: 'deleted' }), ...errors(404) } } },
    async (req, reply) => {
      const face = await faceFor(principalOf(req), req.params.id, 'change');
      if (!(await deleteDossierFace(app.db, req.params.id))) throw notFound('dossier face', req.params.id);
      await dropDossierPhoto(app, face.source_photo);
      return reply.status(204).send();
    },
  );
}
