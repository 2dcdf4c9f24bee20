// /api/v1/events: face events from ClickHouse with FindFace's filters, newest (or oldest) first, cursor pages.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { queryEvents, type EventFilter, type EventView, type NumberRange } from '../../stores/clickhouse/events-query.ts';
import { eventVisibility, principalOf } from '../auth/principal.ts';
import { notFound } from '../errors.ts';
import { defined, list, matchOf, placeOf, timeRangeOf } from '../filters/query-filters.ts';
import { errors } from '../schemas/common.ts';
import { EventIdParams, EventList, EventQuery, FaceEvent, type EventFilterQuery } from '../schemas/events.ts';
import { faceCrop, imageRoute, imageUrl, keptImage, sendJpeg } from './images.ts';

const tags = ['events'];

const range = (min: number | undefined, max: number | undefined): NumberRange | undefined =>
  min === undefined && max === undefined ? undefined : { ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) };

/** FindFace's query parameters as the store's filter. */
export function eventFilterOf(q: EventFilterQuery): EventFilter {
  return defined<EventFilter>({
    ...timeRangeOf(q),
    ids: list(q.id),
    ...placeOf(q),
    ...matchOf(q),
    episodes: list(q.episode),
    acknowledged: q.acknowledged,
    alert: q.alert,
    // FindFace drops duplicates, so they are hidden unless asked for, or named by id
    duplicate: q.duplicate ?? (q.id === undefined ? false : undefined),
    genders: list(q.f_gender_class),
    emotions: list(q.f_emotions_class),
    eyes: list(q.f_eyes_class),
    liveness: list(q.f_liveness_class),
    age: range(q.f_age_gte, q.f_age_lte),
    quality: range(q.quality_gte, q.quality_lte),
    confidence: range(q.confidence_gte, q.confidence_lte),
  });
}

const iso = (t: number) => new Date(t).toISOString();

/** An event in FindFace's field names. */
export function eventView(e: EventView) {
  return {
    id: e.id,
    created_date: iso(e.ts),
    camera: e.camera,
    camera_group: e.cameraGroup,
    bs_type: e.postType,
    track: { id: e.trackId, post_no: e.postNo },
    frame: { ref: e.frame.ref, width: e.frame.width, height: e.frame.height, seq: e.frame.seq },
    thumbnail: e.frame.ref ? imageUrl.eventThumbnail(e.id) : null,
    fullframe: e.frame.ref ? imageUrl.eventFrame(e.id) : null,
    frame_coords_left: e.bbox.x1,
    frame_coords_top: e.bbox.y1,
    frame_coords_right: e.bbox.x2,
    frame_coords_bottom: e.bbox.y2,
    quality: e.quality,
    detection_score: e.detectorScore,
    features: e.attributes,
    matched: e.matched,
    matched_dossier: e.dossier,
    matched_lists: e.matched ? e.watchLists : ['-1'],
    confidence: e.confidence,
    alert: e.alert,
    candidates: e.candidates.map((c) => ({ dossier: c.dossier, dossier_face: c.dossierFace, watch_list: c.watchList, confidence: c.confidence })),
    model_id: e.modelId,
    episode: e.episodeId,
    duplicate_of: e.duplicateOf,
    device: e.device && {
      vendor: e.device.vendor,
      event_type: e.device.eventType,
      device_name: e.device.deviceName,
      target_id: e.device.targetId,
      age: e.device.age,
      sex: e.device.sex,
      glasses: e.device.glasses,
      mask: e.device.mask,
    },
    acknowledged: e.acknowledged,
    acknowledged_by: e.acknowledgedBy,
    acknowledged_date: e.acknowledgedAt === null ? null : iso(e.acknowledgedAt),
  };
}

export async function eventRoutes(app: FastifyInstance): Promise<void> {
  app.get<{ Querystring: EventQuery }>(
    '',
    {
      schema: {
        tags,
        summary: 'List face events',
        description: "FindFace's filters; newest first unless `ordering=created_date`; follow `next_page` with `page`.",
        querystring: EventQuery,
        response: { 200: EventList, ...errors() },
      },
    },
    async (req) => {
      // FindFace's rule, in the query: only events of the user's camera groups and watch lists (or Unmatched)
      const visibleTo = eventVisibility(principalOf(req));
      const page = await queryEvents(app.clickhouse, {
        filter: { ...eventFilterOf(req.query), ...(visibleTo ? { visibleTo } : {}) },
        order: req.query.ordering === 'created_date' ? 'oldest' : 'newest',
        limit: req.query.limit ?? 50,
        cursor: req.query.page ?? null,
      });
      return { results: page.events.map(eventView), next_page: page.nextCursor };
    },
  );

  app.get<{ Params: EventIdParams }>(
    '/:id',
    { schema: { tags, summary: 'Get a face event', params: EventIdParams, response: { 200: Type.Ref(FaceEvent), ...errors(404) } } },
    async (req) => eventView(await visibleEventView(req)),
  );

  /** The event if the user sees it, as GET /:id; 404 otherwise. */
  async function visibleEventView(req: FastifyRequest<{ Params: EventIdParams }>): Promise<EventView> {
    const visibleTo = eventVisibility(principalOf(req));
    // an event the user may not see is answered like one that does not exist
    const page = await queryEvents(app.clickhouse, { filter: { ids: [req.params.id], ...(visibleTo ? { visibleTo } : {}) }, limit: 1 });
    const event = page.events[0];
    if (!event) throw notFound('event', req.params.id);
    return event;
  }

  app.get<{ Params: EventIdParams }>('/:id/frame.jpg', imageRoute(tags, "The event's full frame (FindFace's fullframe)", EventIdParams), async (req, reply) => {
    const event = await visibleEventView(req);
    return sendJpeg(reply, await keptImage(app, event.frame.ref, `full frame of event ${event.id}`), 86_400);
  });
  app.get<{ Params: EventIdParams }>('/:id/thumbnail.jpg', imageRoute(tags, "The event's face crop (FindFace's thumbnail)", EventIdParams), async (req, reply) => {
    const event = await visibleEventView(req);
    return sendJpeg(reply, await faceCrop(await keptImage(app, event.frame.ref, `face crop of event ${event.id}`), event.bbox), 86_400);
  });
}
