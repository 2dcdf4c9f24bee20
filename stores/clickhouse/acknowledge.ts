// Acknowledging events (FindFace's "acknowledge"): the event's row is written again with the acknowledgement
// and a higher version, server side (INSERT … SELECT from face_events FINAL), so the vector never travels. The
// statistics are unaffected (they count distinct event ids). The WHERE names columns as e.<column>: a bare name
// would mean the REPLACE alias of the same name (ClickHouse lets WHERE see SELECT aliases).
import type { ClickHouseClient } from '@clickhouse/client';
import { eventConditions, type EventFilter } from './events-query.ts';
import { TABLES } from './names.ts';

export interface AcknowledgeOptions {
  readonly by: string;
  /** ms since the epoch */
  readonly at: number;
  /** false: take the acknowledgement back; true by default */
  readonly acknowledged?: boolean;
}

/** Rewrites the events selected by `where` (over face_events AS e) that are not in the wanted state yet. */
async function rewrite(client: ClickHouseClient, where: string, params: Record<string, unknown>, options: AcknowledgeOptions): Promise<void> {
  const ack = options.acknowledged ?? true;
  await client.command({
    query: `INSERT INTO ${TABLES.faceEvents}
      SELECT * REPLACE (
        {ack:Bool} AS acknowledged,
        if({ack:Bool}, {by:String}, '') AS acknowledged_by,
        if({ack:Bool}, fromUnixTimestamp64Milli({at:Int64}, 'UTC'), NULL) AS acknowledged_at,
        greatest(version + 1, toUInt64({at:Int64})) AS version
      )
      FROM ${TABLES.faceEvents} AS e FINAL
      WHERE ${where} AND e.acknowledged != {ack:Bool}`,
    query_params: { ...params, ack, by: options.by, at: Math.round(options.at) },
  });
}

/**
 * Marks `ids` acknowledged (or not, with `acknowledged: false`) by `by` at `at` (ms since the epoch). Ids that
 * do not exist are ignored; an event already in that state is left alone.
 */
export async function acknowledgeEvents(client: ClickHouseClient, ids: readonly string[], options: AcknowledgeOptions): Promise<void> {
  if (ids.length === 0) return;
  await rewrite(client, 'e.id IN {ids:Array(String)}', { ids }, options);
}

/** acknowledgeEvents() for every event `filter` selects (FindFace's "acknowledge all"), without the ids leaving the server. */
export async function acknowledgeMatching(client: ClickHouseClient, filter: EventFilter, options: AcknowledgeOptions): Promise<void> {
  // the filter runs in its own subquery, where bare column names mean the stored columns
  const c = eventConditions(filter);
  await rewrite(client, `e.id IN (SELECT id FROM ${TABLES.faceEvents} FINAL ${c.where()})`, c.params, options);
}
