// /api/v1/episodes: FindFace's episodes from ClickHouse (the latest change of each wins), with the filters they share
// with events, newest (or oldest) first, cursor pages; one episode with its events.
import { basename, dirname } from 'node:path';
import send from '@fastify/send';
import type { FastifyInstance } from 'fastify';
import { clipPath } from '../../stores/frames/layout.ts';
import { getEpisode, queryEpisodes, type EpisodeFilter, type EpisodeView } from '../../stores/clickhouse/episodes-query.ts';
import { MAX_EVENTS_PAGE, queryEvents } from '../../stores/clickhouse/events-query.ts';
import { eventVisibility, principalOf } from '../auth/principal.ts';
import { ApiError, notFound } from '../errors.ts';
import { defined, list, matchOf, placeOf, timeRangeOf } from '../filters/query-filters.ts';
import { errors } from '../schemas/common.ts';
import { EpisodeClip, EpisodeClipQuery, EpisodeIdParams, EpisodeList, EpisodeQuery, EpisodeWithEvents } from '../schemas/episodes.ts';
import { eventView } from './events.ts';

const tags = ['episodes'];

export function episodeFilterOf(q: EpisodeQuery): EpisodeFilter {
  return defined<EpisodeFilter>({ ...timeRangeOf(q), ids: list(q.id), ...placeOf(q), ...matchOf(q), open: q.open });
}

const iso = (t: number) => new Date(t).toISOString();

/** An episode in FindFace's field names. */
export function episodeView(e: EpisodeView) {
  return {
    id: e.id,
    created_date: iso(e.startTs),
    last_event_date: iso(e.endTs),
    closed_date: e.open ? null : iso(e.endTs),
    open: e.open,
    events_count: e.eventsCount,
    best_event: e.bestEventId,
    last_event: e.lastEventId,
    matched_event: e.matchedEventId,
    matched: e.dossier !== null,
    matched_dossier: e.dossier,
    matched_lists: e.dossier !== null ? e.watchLists : ['-1'],
    cameras: e.cameras,
    camera_groups: e.cameraGroups,
    acknowledged: e.acknowledged,
  };
}

export async function episodeRoutes(app: FastifyInstance): Promise<void> {
  app.get<{ Querystring: EpisodeQuery }>(
    '',
    {
      schema: {
        tags,
        summary: 'List episodes',
        description: "FindFace's filters on the episode's start (`created_date_*`), cameras, camera groups, watch lists, matched / no_match, dossier, open; newest first unless `ordering=created_date`; follow `next_page` with `page`.",
        querystring: EpisodeQuery,
        response: { 200: EpisodeList, ...errors() },
      },
    },
    async (req) => {
      // FindFace's event rule: an episode shows when one of its events may be seen
      const visibleTo = eventVisibility(principalOf(req));
      const page = await queryEpisodes(app.clickhouse, {
        filter: { ...episodeFilterOf(req.query), ...(visibleTo ? { visibleTo } : {}) },
        order: req.query.ordering === 'created_date' ? 'oldest' : 'newest',
        limit: req.query.limit ?? 50,
        cursor: req.query.page ?? null,
      });
      return { results: page.episodes.map(episodeView), next_page: page.nextCursor };
    },
  );

  app.get<{ Params: EpisodeIdParams }>(
    '/:id',
    { schema: { tags, summary: 'Get an episode with its events', params: EpisodeIdParams, response: { 200: EpisodeWithEvents, ...errors(404) } } },
    async (req) => {
      const visibleTo = eventVisibility(principalOf(req));
      const visible = visibleTo ? { visibleTo } : {};
      // an episode the user may not see is answered like one that does not exist; so are its hidden events
      const episode = await getEpisode(app.clickhouse, req.params.id, visible);
      if (!episode) throw notFound('episode', req.params.id);
      const events = await queryEvents(app.clickhouse, { filter: { episodes: [episode.id], ...visible }, order: 'oldest', limit: MAX_EVENTS_PAGE });
      return { ...episodeView(episode), events: events.events.map(eventView) };
    },
  );

  app.get<{ Params: EpisodeIdParams; Querystring: EpisodeClipQuery }>(
    '/:id/clip',
    {
      schema: {
        tags,
        summary: 'The video clip of an episode',
        description: 'An MP4 of one camera from `clips.pre_roll` before the episode to `clips.post_roll` after it (docs/CLIPS.md). `Range: bytes=` requests get 206 with that part (players seek with them), 416 outside the file; `If-None-Match` / `If-Modified-Since` get 304. 404: no such episode (or one you may not see), or no clip of it.',
        params: EpisodeIdParams,
        querystring: EpisodeClipQuery,
        response: { 200: EpisodeClip, 206: EpisodeClip, ...errors(404, 416) },
      },
    },
    async (req, reply) => {
      const visibleTo = eventVisibility(principalOf(req));
      const episode = await getEpisode(app.clickhouse, req.params.id, visibleTo ? { visibleTo } : {});
      if (!episode) throw notFound('episode', req.params.id);
      const cameras = req.query.camera !== undefined ? episode.cameras.filter((c) => c === req.query.camera) : episode.cameras;
      const root = app.clipsDir;
      if (root !== null) {
        for (const camera of cameras) {
          const path = clipPath(root, camera, episode.id);
          // @fastify/send answers Range requests (206/416) and conditional ones, which players need to seek
          const sent = await send(req.raw, `/${encodeURIComponent(basename(path))}`, { root: dirname(path), cacheControl: false, contentType: false });
          if (sent.type === 'file') return reply.code(sent.statusCode).headers(sent.headers).type('video/mp4').send(sent.stream);
          if (sent.statusCode === 416) {
            const range = sent.headers['Content-Range'] ?? '';
            throw new ApiError('FS_ERR_RANGE_NOT_SATISFIABLE', `range ${req.headers.range} is outside the clip (${range})`, 'range', undefined, { 'content-range': range });
          }
          if (sent.type === 'error' && sent.statusCode !== 404) throw sent.metadata.error;
        }
      }
      throw notFound('clip of episode', req.params.id);
    },
  );
}

