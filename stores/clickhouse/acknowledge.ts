// Acknowledging events (FindFace's "acknowledge"): the event's row is written again with the acknowledgement
// and a higher version, server side (INSERT … SELECT from face_events FINAL), so the vector never travels. The
// statistics are unaffected (they count distinct event ids). The WHERE names columns as e.<column>: a bare name
// would mean the REPLACE alias of the same name (ClickHouse lets WHERE see SELECT aliases).
import type { ClickHouseClient } from '@clickhouse/client';
import { TABLES } from './names.ts';

/**
 * Marks `ids` acknowledged (or not, with `acknowledged: false`) by `by` at `at` (ms since the epoch). Ids that
 * do not exist are ignored; an event already in that state is left alone.
 */
export async function acknowledgeEvents(
  client: ClickHouseClient,
  ids: readonly string[],
  options: { readonly by: string; readonly at: number; readonly acknowledged?: boolean },
): Promise<void> {
  if (ids.length === 0) return;
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
      WHERE e.id IN {ids:Array(String)} AND e.acknowledged != {ack:Bool}`,
    query_params: { ids, ack, by: options.by, at: Math.round(options.at) },
  });
}
