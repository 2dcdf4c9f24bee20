// Search by face over event history (FindFace's Search → Events): the events whose stored vector is at least
// `threshold` similar to a query vector, under the events' own filters (time range, cameras, camera groups …).
//
// How: one scan of face_events FINAL computing dotProduct(embedding, query) per row that passes the filters. The
// vectors are L2-normalised when written (and the query is too), so the dot product is the cosine similarity;
// cosineDistance would compute both norms again per row for the same answer. The time range prunes whole
// partitions (PARTITION BY toDate(ts)) and cameras the primary key (ORDER BY (camera, ts, id)), so the cost is
// that of the events left after them: 2 KiB of vector read and 512 multiply-adds each. Only ids, times and
// similarities come back; the best `limit` events are then read in full by id (queryEvents).
import type { ClickHouseClient } from '@clickhouse/client';
import { eventConditions, MAX_EVENTS_PAGE, queryEvents, EventQueryError, type EventFilter, type EventView } from './events-query.ts';
import { TABLES } from './names.ts';

export interface SimilarEventsQuery {
  /** L2-normalised query vector */
  readonly vector: Float32Array;
  /** only events embedded by this model (vectors of different models are not comparable) */
  readonly modelId: string;
  /** cosine similarity at least this */
  readonly threshold: number;
  /** cameras with a threshold of their own, which replaces `threshold` for their events (above 1: none of them) */
  readonly cameraThresholds?: ReadonlyMap<string, number>;
  /** leaves out events matched to this dossier at least as confidently as the query matches them */
  readonly notMatchedTo?: string;
  readonly filter?: EventFilter;
  /** most similar first (default), or newest first among those above the threshold */
  readonly order?: 'confidence' | 'newest';
  /** 1 … 1000 */
  readonly limit: number;
}

export interface SimilarEvent {
  readonly event: EventView;
  /** cosine similarity to the query */
  readonly confidence: number;
}

export async function searchSimilarEvents(client: ClickHouseClient, query: SimilarEventsQuery): Promise<SimilarEvent[]> {
  if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > MAX_EVENTS_PAGE) throw new EventQueryError(`limit must be an integer in 1…${MAX_EVENTS_PAGE}`);
  const filter = query.filter ?? {};
  const c = eventConditions(filter);
  c.add(`model_id = ${c.param(query.modelId, 'String')}`);
  // Rows without a vector or with one of another length (a corrupt row) would make dotProduct throw, and a guard
  // inside the expression (if(length(…) = N, dotProduct(…), -2)) does not stop it: ClickHouse evaluates dotProduct
  // over the whole block. PREWHERE drops them before any expression of SELECT or WHERE is computed (it reads only
  // the arrays' sizes). It runs before FINAL merges the versions of a row, which is safe: every version of an
  // event has the same vector.
  const lengthOk = `length(embedding) = ${c.param(query.vector.length, 'UInt32')}`;
  const similarity = `dotProduct(embedding, ${c.param(Array.from(query.vector), 'Array(Float32)')})`;
  const threshold = c.param(query.threshold, 'Float64');
  const thresholds = query.cameraThresholds;
  c.add(
    thresholds && thresholds.size > 0
      ? `similarity >= transform(toString(camera), ${c.param([...thresholds.keys()], 'Array(String)')}, ${c.param([...thresholds.values()], 'Array(Float64)')}, ${threshold})`
      : `similarity >= ${threshold}`,
  );
  if (query.notMatchedTo !== undefined) c.add(`NOT (matched AND dossier = ${c.param(query.notMatchedTo, 'String')} AND confidence >= similarity)`);
  const order = query.order === 'newest' ? 'ts DESC, id DESC' : 'similarity DESC, ts DESC, id DESC';
  const rs = await client.query({
    query: `SELECT id, ${similarity} AS similarity
      FROM ${TABLES.faceEvents} FINAL
      PREWHERE ${lengthOk}
      ${c.where()}
      ORDER BY ${order}
      LIMIT ${c.param(query.limit, 'UInt32')}`,
    query_params: c.params,
    format: 'JSONEachRow',
  });
  const hits = await rs.json<{ id: string; similarity: number }>();
  if (hits.length === 0) return [];
  const page = await queryEvents(client, { filter: { ...filter, ids: hits.map((h) => h.id) }, limit: hits.length });
  const byId = new Map(page.events.map((e) => [e.id, e]));
  return hits.flatMap((h) => {
    const event = byId.get(h.id);
    return event ? [{ event, confidence: Math.round(h.similarity * 1e6) / 1e6 }] : [];
  });
}
