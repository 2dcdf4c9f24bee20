// Retention: each table's TTL follows the settings (config.ts ClickHouseRetentionConfig). Migrations create
// the tables without TTL; applyRetention() sets or changes each TTL at start when the settings differ from what
// was applied last (kept in schema_settings), so changing retention needs no migration. ClickHouse deletes
// expired rows in the background (merges) and rewrites existing parts after a change.
import type { ClickHouseClient } from '@clickhouse/client';
import type { ClickHouseRetentionConfig } from './config.ts';
import { TABLES, type TableName } from './names.ts';

interface Rule {
  /** TTL time expression (a DateTime) */
  readonly time: string;
  readonly days: number;
  /** rows the rule applies to; all when absent */
  readonly where?: string;
}

/** The TTL rules of every table with a retention setting. */
export function retentionRules(r: ClickHouseRetentionConfig): ReadonlyMap<TableName, readonly Rule[]> {
  return new Map<TableName, Rule[]>([
    [
      TABLES.faceEvents,
      [
        { time: 'toDateTime(ts)', days: r.matched_events_days, where: 'matched' },
        { time: 'toDateTime(ts)', days: r.unmatched_events_days, where: 'NOT matched' },
      ],
    ],
    // a retro match is a match found late: kept like matched events (its event, if unmatched live, may go sooner;
    // the listing then leaves it out)
    [TABLES.retroMatches, [{ time: 'toDateTime(event_ts)', days: r.matched_events_days }]],
    [TABLES.episodes, [{ time: 'toDateTime(end_ts)', days: r.episodes_days }]],
    [TABLES.episodeEvents, [{ time: 'toDateTime(ts)', days: r.episodes_days }]],
    [TABLES.eventStatsMinute, [{ time: 'bucket', days: r.stats_minute_days }]],
    [TABLES.eventStatsHour, [{ time: 'bucket', days: r.stats_hour_days }]],
    [TABLES.eventStatsDay, [{ time: 'bucket', days: r.stats_day_days }]],
    [TABLES.counterRecords, [{ time: 'toDateTime(ts)', days: r.counter_records_days }]],
    [TABLES.cameraStats, [{ time: 'ts', days: r.camera_stats_days }]],
    [TABLES.webhookDeliveries, [{ time: 'toDateTime(ts)', days: r.webhook_deliveries_days }]],
    [TABLES.auditLog, [{ time: 'toDateTime(ts)', days: r.audit_log_days }]],
  ]);
}

/** The TTL clause for `rules` (rules of 0 days keep for ever), '' when nothing expires. */
export function ttlClause(rules: readonly Rule[]): string {
  const parts = rules
    .filter((rule) => rule.days > 0)
    .map((rule) => `${rule.time} + INTERVAL ${Math.trunc(rule.days)} DAY DELETE${rule.where ? ` WHERE ${rule.where}` : ''}`);
  return parts.join(', ');
}

async function ensureSettingsTable(client: ClickHouseClient): Promise<void> {
  await client.command({
    query: `CREATE TABLE IF NOT EXISTS ${TABLES.schemaSettings} (
      key String, value String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3)
    ) ENGINE = ReplacingMergeTree(applied_at) ORDER BY key`,
  });
}

export interface RetentionResult {
  /** tables whose TTL was changed by this call */
  readonly changed: readonly TableName[];
}

/** Brings every table's TTL in line with `retention`. Run after migrate(). */
export async function applyRetention(client: ClickHouseClient, retention: ClickHouseRetentionConfig): Promise<RetentionResult> {
  await ensureSettingsTable(client);
  const rs = await client.query({
    query: `SELECT key, value FROM ${TABLES.schemaSettings} FINAL WHERE startsWith(key, 'ttl:')`,
    format: 'JSONEachRow',
  });
  const applied = new Map((await rs.json<{ key: string; value: string }>()).map((r) => [r.key, r.value]));
  const changed: TableName[] = [];
  for (const [table, rules] of retentionRules(retention)) {
    const want = ttlClause(rules);
    const key = `ttl:${table}`;
    if ((applied.get(key) ?? '') === want) continue;
    await client.command({ query: want === '' ? `ALTER TABLE ${table} REMOVE TTL` : `ALTER TABLE ${table} MODIFY TTL ${want}` });
    await client.insert({ table: TABLES.schemaSettings, values: [{ key, value: want }], format: 'JSONEachRow' });
    changed.push(table);
  }
  return { changed };
}
