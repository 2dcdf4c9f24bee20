// /api/v1/counters: FindFace's people counters — CRUD of the definitions (PostgreSQL), their records (ClickHouse,
// FindFace's record filters, cursor pages like /events) and statistics per minute, hour or day (the counter chart).
// Records and statistics are narrowed to the camera groups the reader may see, like events.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { queryCounterRecords, queryCounterStats, type CounterRecordView } from '../../stores/clickhouse/counter-records.ts';
import { getCamera } from '../../stores/postgres/repositories/cameras.ts';
import { createCounter, deleteCounter, getCounter, listCounters, updateCounter } from '../../stores/postgres/repositories/counters.ts';
import { principalOf, visibleIds } from '../auth/principal.ts';
import { ApiError, notFound } from '../errors.ts';
import { defined, list, timeRangeOf } from '../filters/query-filters.ts';
import { idPage, pageResult } from '../pagination.ts';
import { IdParams, errors } from '../schemas/common.ts';
import {
  Counter,
  CounterCreate,
  CounterList,
  CounterPatch,
  CounterQuery,
  CounterRecordList,
  CounterRecordQuery,
  CounterStatistics,
  CounterStatisticsQuery,
} from '../schemas/counters.ts';

const tags = ['counters'];

/** The camera groups a reader may see records of, within those asked for (undefined = no restriction). */
function visibleGroups(req: FastifyRequest, asked: string[] | undefined): string[] | undefined {
  const seen = visibleIds(principalOf(req), 'camera group')?.map(String);
  return seen === undefined ? asked : (asked ?? seen).filter((g) => seen.includes(g));
}

const recordView = (r: CounterRecordView) => ({
  id: r.id,
  counter: Number(r.counter),
  counter_name: r.counterName,
  camera: r.camera,
  camera_group: r.cameraGroup,
  created_date: new Date(r.ts).toISOString(),
  faces_count: r.facesCount,
  faces_bbox: r.facesBbox,
  frame: r.frameRef === '' ? null : r.frameRef,
  frame_width: r.frameWidth,
  frame_height: r.frameHeight,
});

export async function counterRoutes(app: FastifyInstance): Promise<void> {
  /** a camera that does not exist is named, rather than left to the foreign key's generic answer */
  async function requireCameras(cameras: readonly { readonly camera_id: number }[] | undefined): Promise<void> {
    for (const { camera_id } of cameras ?? []) {
      if (!(await getCamera(app.db, camera_id))) throw new ApiError('FS_ERR_VALIDATION', `cameras: camera ${camera_id} does not exist`, 'cameras');
    }
  }
  /** 404 unless the counter exists */
  const existing = async (id: number) => (await getCounter(app.db, id)) ?? Promise.reject(notFound('counter', id));

  app.post<{ Body: CounterCreate }>(
    '',
    { schema: { tags, summary: 'Create a counter', body: CounterCreate, response: { 201: Counter, ...errors(409) } } },
    async (req, reply) => {
      await requireCameras(req.body.cameras);
      return reply.status(201).send(await createCounter(app.db, req.body));
    },
  );

  app.get<{ Querystring: CounterQuery }>(
    '',
    { schema: { tags, summary: 'List counters', querystring: CounterQuery, response: { 200: CounterList, ...errors() } } },
    async (req) => {
      const rows = await listCounters(app.db, { ...idPage(req.query), ...defined({ active: req.query.active, camera_id: req.query.camera }) });
      return pageResult(rows, req.query);
    },
  );

  app.get<{ Params: IdParams }>(
    '/:id',
    { schema: { tags, summary: 'Get a counter', params: IdParams, response: { 200: Counter, ...errors(404) } } },
    async (req) => existing(req.params.id),
  );

  app.patch<{ Params: IdParams; Body: CounterPatch }>(
    '/:id',
    { schema: { tags, summary: 'Change a counter (`cameras`, when given, replaces its cameras)', params: IdParams, body: CounterPatch, response: { 200: Counter, ...errors(404, 409) } } },
    async (req) => {
      await requireCameras(req.body.cameras);
      return (await updateCounter(app.db, req.params.id, req.body)) ?? Promise.reject(notFound('counter', req.params.id));
    },
  );

  app.delete<{ Params: IdParams }>(
    '/:id',
    { schema: { tags, summary: 'Delete a counter (its records stay until their retention)', params: IdParams, response: { 204: Type.Null({ description: 'deleted' }), ...errors(404) } } },
    async (req, reply) => {
      if (!(await deleteCounter(app.db, req.params.id))) throw notFound('counter', req.params.id);
      return reply.status(204).send();
    },
  );

  app.get<{ Params: IdParams; Querystring: CounterRecordQuery }>(
    '/:id/records',
    {
      schema: {
        tags,
        summary: "A counter's records",
        description: "FindFace's record filters (cameras, camera groups, time, number of faces, record id); newest first unless `ordering=created_date`; follow `next_page` with `page`.",
        params: IdParams,
        querystring: CounterRecordQuery,
        response: { 200: CounterRecordList, ...errors(404) },
      },
    },
    async (req) => {
      await existing(req.params.id);
      const q = req.query;
      const page = await queryCounterRecords(app.clickhouse, {
        filter: defined({
          counter: String(req.params.id),
          ids: list(q.id),
          cameras: list(q.cameras),
          cameraGroups: visibleGroups(req, list(q.camera_groups)),
          ...timeRangeOf(q),
          facesGte: q.faces_count_gte,
          facesLte: q.faces_count_lte,
        }),
        ascending: q.ordering === 'created_date',
        limit: q.limit ?? 50,
        cursor: q.page ?? null,
      });
      return { results: page.records.map(recordView), next_page: page.nextCursor };
    },
  );

  app.get<{ Params: IdParams; Querystring: CounterStatisticsQuery }>(
    '/:id/statistics',
    {
      schema: {
        tags,
        summary: "A counter's statistics per time bucket",
        description: 'Per `interval` bucket and camera: screenshots taken and the average, least and most faces in them (time slices, not totals); `created_date_*` select the buckets whose start lies in the range.',
        params: IdParams,
        querystring: CounterStatisticsQuery,
        response: { 200: CounterStatistics, ...errors(404) },
      },
    },
    async (req) => {
      await existing(req.params.id);
      const interval = req.query.interval ?? 'hour';
      const rows = await queryCounterStats(app.clickhouse, defined({ counter: String(req.params.id), granularity: interval, ...timeRangeOf(req.query), cameras: list(req.query.cameras), cameraGroups: visibleGroups(req, undefined) }));
      return {
        interval,
        results: rows.map((r) => ({ bucket: new Date(r.bucket).toISOString(), camera: r.camera, records: r.records, avg_faces: r.avgFaces, min_faces: r.minFaces, max_faces: r.maxFaces })),
      };
    },
  );
}
