// /api/v1/events acknowledgement: one event (PATCH /events/{id}), the events of a list of ids, or every event the
// list filters select (POST /events/acknowledge, FindFace's "acknowledge all"). A plugin of its own beside the
// events listing: same prefix, another reason to change.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { acknowledgeMatching } from '../../stores/clickhouse/acknowledge.ts';
import { countEvents, queryEvents, type EventVisibility } from '../../stores/clickhouse/events-query.ts';
import { eventVisibility, principalOf } from '../auth/principal.ts';
import { notFound } from '../errors.ts';
import { errors } from '../schemas/common.ts';
import { AcknowledgeMany, AcknowledgeOne, AcknowledgeResult } from '../schemas/acknowledge.ts';
import { EventFilterQuery, EventIdParams, FaceEvent } from '../schemas/events.ts';
import { eventFilterOf, eventView } from './events.ts';

const tags = ['events'];

/** Who acknowledges (acknowledged_by), and the events they may touch: FindFace's event rule, as for listing. */
function readerOf(request: FastifyRequest): { by: string; visible: { visibleTo?: EventVisibility } } {
  const p = principalOf(request);
  const visibleTo = eventVisibility(p);
  return { by: p.user.name, visible: visibleTo ? { visibleTo } : {} };
}

export async function eventAcknowledgeRoutes(app: FastifyInstance): Promise<void> {
  // the injected clock (ApiDeps.clock): acknowledged_date, and the rewrite's version
  const clock = () => app.clock();

  app.patch<{ Params: EventIdParams; Body: AcknowledgeOne }>(
    '/:id',
    {
      schema: { tags, summary: 'Acknowledge an event (or take it back)', params: EventIdParams, body: AcknowledgeOne, response: { 200: Type.Ref(FaceEvent), ...errors(404) } },
    },
    async (req) => {
      const reader = readerOf(req);
      // an event the user may not see is answered like one that does not exist
      const filter = { ids: [req.params.id], ...reader.visible };
      if ((await countEvents(app.clickhouse, filter)) === 0) throw notFound('event', req.params.id);
      await acknowledgeMatching(app.clickhouse, filter, { by: reader.by, at: clock(), acknowledged: req.body.acknowledged });
      const [event] = (await queryEvents(app.clickhouse, { filter, limit: 1 })).events;
      if (!event) throw notFound('event', req.params.id);
      return eventView(event);
    },
  );

  app.post<{ Querystring: EventFilterQuery; Body: AcknowledgeMany }>(
    '/acknowledge',
    {
      // a body is optional: without one, every event the query's filters select is acknowledged
      preValidation: async (req) => {
        req.body ??= {};
      },
      schema: {
        tags,
        summary: 'Acknowledge many events',
        description: 'The events of `ids`, or without `ids` every event the query parameters (the filters of GET /events) select; `acknowledged: false` takes acknowledgements back. Answers how many events changed.',
        querystring: EventFilterQuery,
        body: AcknowledgeMany,
        response: { 200: AcknowledgeResult, ...errors() },
      },
    },
    async (req) => {
      const acknowledged = req.body.acknowledged ?? true;
      const reader = readerOf(req);
      const base = { ...eventFilterOf(req.query), ...reader.visible };
      const filter = req.body.ids ? { ...base, ids: base.ids ? req.body.ids.filter((id) => base.ids!.includes(id)) : req.body.ids } : base;
      // counted first: an INSERT … SELECT does not say how many rows it wrote
      const changed = await countEvents(app.clickhouse, { ...filter, acknowledged: !acknowledged });
      if (changed > 0) await acknowledgeMatching(app.clickhouse, filter, { by: reader.by, at: clock(), acknowledged });
      return { changed, acknowledged };
    },
  );
}
