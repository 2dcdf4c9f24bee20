// /api/v1/retro-matches: past events found to match a face when it was added to a dossier (api/retro-match/), each
// with the event and the dossier it now matches; the event filters of /events, newest first, cursor pages.
import type { FastifyInstance } from 'fastify';
import { queryRetroMatches } from '../../stores/clickhouse/retro-matches.ts';
import { getDossier } from '../../stores/postgres/repositories/dossiers.ts';
import type { Dossier } from '../../stores/postgres/rows.ts';
import { eventVisibility, principalOf } from '../auth/principal.ts';
import { defined, list } from '../filters/query-filters.ts';
import { errors } from '../schemas/common.ts';
import { RetroMatchList, RetroMatchQuery } from '../schemas/retro-matches.ts';
import { eventFilterOf, eventView } from './events.ts';

const tags = ['events'];

export async function retroMatchRoutes(app: FastifyInstance): Promise<void> {
  app.get<{ Querystring: RetroMatchQuery }>(
    '',
    {
      schema: {
        tags,
        summary: 'List retro matches',
        description:
          "Past events found to match a face when it was added to a dossier, with the event and the dossier. /events' filters apply to the event; `dossiers` and `watch_lists` to the match. Newest event first unless `ordering=created_date`; follow `next_page` with `page`.",
        querystring: RetroMatchQuery,
        response: { 200: RetroMatchList, ...errors() },
      },
    },
    async (req) => {
      const q = req.query;
      // FindFace's event rule, with the watch lists of the dossier the event now matches
      const visible = eventVisibility(principalOf(req));
      const page = await queryRetroMatches(app.clickhouse, {
        filter: defined({
          event: eventFilterOf(q),
          dossiers: list(q.dossiers),
          watchLists: list(q.watch_lists),
          visibleTo: visible && { cameraGroups: visible.cameraGroups, watchLists: visible.watchLists },
        }),
        order: q.ordering === 'created_date' ? 'oldest' : 'newest',
        limit: q.limit ?? 50,
        cursor: q.page ?? null,
      });
      const dossiers = new Map<string, Dossier | undefined>();
      for (const m of page.matches) if (!dossiers.has(m.dossier)) dossiers.set(m.dossier, await getDossier(app.db, Number(m.dossier)));
      // a dossier deleted since matches nothing any more
      const results = page.matches.flatMap((m) => {
        const dossier = dossiers.get(m.dossier);
        return dossier
          ? [{ confidence: m.confidence, dossier_face: m.dossierFace, watch_lists: [...m.watchLists], created_date: new Date(m.foundAt).toISOString(), event: eventView(m.event), dossier }]
          : [];
      });
      return { results, next_page: page.nextCursor };
    },
  );
}
