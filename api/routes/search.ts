// /api/v1/search: FindFace's search by face over event history (`/events`) or over the dossiers (`/dossiers`). GET
// takes a stored face (`looks_like=event:<id>|dossierface:<id>`), POST an uploaded photo (multipart `photo`, with
// the dossier-face upload's rules: 413/415/422); both take the same threshold, limit, ordering and filters.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { searchSimilarEvents } from '../../stores/clickhouse/similar-events.ts';
import { getDossier } from '../../stores/postgres/repositories/dossiers.ts';
import { eventVisibility, principalOf, visibleIds } from '../auth/principal.ts';
import { defined, list, placeOf, timeRangeOf } from '../filters/query-filters.ts';
import { MULTIPART, requireMultipart } from '../plugins/multipart.ts';
import { probeOfPhoto, probeOfReference, type Probe } from '../search/probe.ts';
import { searchSimilarDossiers } from '../search/similar-dossiers.ts';
import { errors } from '../schemas/common.ts';
import {
  DossierSearchQuery,
  DossierSearchResult,
  DossierSearchUpload,
  EventSearchQuery,
  EventSearchResult,
  EventSearchUpload,
} from '../schemas/search.ts';
import { eventView } from './events.ts';

const tags = ['search'];

type EventSearch = Omit<EventSearchQuery, 'looks_like'>;
type DossierSearch = Omit<DossierSearchQuery, 'looks_like'>;

function queryView(p: Probe) {
  const box = p.face?.box;
  return {
    source: p.source,
    id: p.id,
    model_id: p.modelId,
    bbox: box ? { left: box.x1, top: box.y1, right: box.x2, bottom: box.y2 } : null,
    faces_in_photo: p.facesInPhoto,
  };
}

export async function searchRoutes(app: FastifyInstance): Promise<void> {
  const thresholdOf = (q: { threshold?: number }) => q.threshold ?? app.faces.confidenceThreshold;

  // FindFace's rules: events of the reader's camera groups and lists, dossiers of their lists
  async function events(req: FastifyRequest, probe: Probe, q: EventSearch) {
    const threshold = thresholdOf(q);
    const visibleTo = eventVisibility(principalOf(req));
    const found = await searchSimilarEvents(app.clickhouse, {
      vector: probe.vector,
      modelId: probe.modelId,
      threshold,
      filter: defined({ ...timeRangeOf(q), ...placeOf(q), visibleTo }),
      order: q.ordering === '-created_date' ? 'newest' : 'confidence',
      limit: q.limit ?? 100,
    });
    return { threshold, query: queryView(probe), results: found.map((f) => ({ confidence: f.confidence, event: eventView(f.event) })) };
  }

  async function dossiers(req: FastifyRequest, probe: Probe, q: DossierSearch) {
    const threshold = thresholdOf(q);
    const lists = list(q.watch_lists)?.map(Number);
    const visible = visibleIds(principalOf(req), 'watch list');
    const results = [];
    for (const hit of await searchSimilarDossiers(app.db, { vector: probe.vector, modelId: probe.modelId, threshold, ...(visible ? { visibleWatchListIds: visible } : {}) })) {
      const dossier = await getDossier(app.db, hit.dossierId);
      if (!dossier || (lists && !dossier.watch_list_ids.some((w) => lists.includes(w)))) continue;
      results.push({ confidence: hit.confidence, dossier, dossier_face: hit.dossierFaceId });
    }
    if (q.ordering === '-created_date') results.sort((a, b) => b.dossier.created_date.getTime() - a.dossier.created_date.getTime() || b.dossier.id - a.dossier.id);
    return { threshold, query: queryView(probe), results: results.slice(0, q.limit ?? 100) };
  }

  const upload = { bodyLimit: app.photoLimits.maxBytes + 1024 * 1024, preValidation: requireMultipart };
  const photoErrors = errors(404, 413, 415, 422);
  const uploadNote = 'multipart/form-data with the file `photo` (its biggest face is looked for) and the filters as fields. 413: photo over the size or pixel limit; 415: not an accepted image format; 422: no face (`reason` no_face, unreadable).';

  app.get<{ Querystring: EventSearchQuery }>(
    '/events',
    {
      schema: {
        tags,
        summary: 'Events like a stored face',
        description: 'Events whose face is at least `threshold` similar to the event or dossier face of `looks_like`, within the time range, cameras and camera groups.',
        querystring: EventSearchQuery,
        response: { 200: EventSearchResult, ...errors(404) },
      },
    },
    async (req) => events(req, await probeOfReference(app, req.query.looks_like, principalOf(req)), req.query),
  );

  app.post<{ Body: EventSearchUpload }>(
    '/events',
    {
      ...upload,
      schema: { tags, summary: 'Events like the face of a photo', description: uploadNote, consumes: [MULTIPART], body: EventSearchUpload, response: { 200: EventSearchResult, ...photoErrors } },
    },
    async (req) => events(req, await probeOfPhoto(app.faces, app.photoLimits, req.body.photo), req.body),
  );

  app.get<{ Querystring: DossierSearchQuery }>(
    '/dossiers',
    {
      schema: {
        tags,
        summary: 'Dossiers like a stored face',
        description: 'Dossiers with a face at least `threshold` similar to the event or dossier face of `looks_like`, each with its most similar face.',
        querystring: DossierSearchQuery,
        response: { 200: DossierSearchResult, ...errors(404) },
      },
    },
    async (req) => dossiers(req, await probeOfReference(app, req.query.looks_like, principalOf(req)), req.query),
  );

  app.post<{ Body: DossierSearchUpload }>(
    '/dossiers',
    {
      ...upload,
      schema: { tags, summary: 'Dossiers like the face of a photo', description: uploadNote, consumes: [MULTIPART], body: DossierSearchUpload, response: { 200: DossierSearchResult, ...photoErrors } },
    },
    async (req) => dossiers(req, await probeOfPhoto(app.faces, app.photoLimits, req.body.photo), req.body),
  );
}
