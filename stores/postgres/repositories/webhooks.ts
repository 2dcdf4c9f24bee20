// Webhooks: FindFace's /hooks/.
import type { Queryable } from '../db.ts';
import type { NewWebhook, Page, Webhook, WebhookPatch } from '../rows.ts';
import { assignments, insertValues, pageParams } from '../sql.ts';
import type { ColumnKind } from '../sql.ts';

const COLUMNS: Readonly<Record<keyof NewWebhook, ColumnKind>> = {
  name: 'value',
  url: 'value',
  active: 'value',
  filters: 'json',
  max_batch_size: 'value',
  max_attempts: 'value',
  comment: 'value',
  created_by: 'value',
};

export async function createWebhook(q: Queryable, hook: NewWebhook): Promise<Webhook> {
  const ins = insertValues(hook, COLUMNS);
  const { rows } = await q.query<Webhook>(`INSERT INTO webhooks ${ins.sql} RETURNING *`, ins.params);
  return rows[0]!;
}

export async function getWebhook(q: Queryable, id: number): Promise<Webhook | undefined> {
  const { rows } = await q.query<Webhook>('SELECT * FROM webhooks WHERE id = $1', [id]);
  return rows[0];
}

export async function listWebhooks(q: Queryable, filter: Page & { readonly active?: boolean } = {}): Promise<Webhook[]> {
  const [after, limit] = pageParams(filter);
  const { rows } = await q.query<Webhook>(
    'SELECT * FROM webhooks WHERE id > $1 AND ($3::boolean IS NULL OR active = $3) ORDER BY id LIMIT $2',
    [after, limit, filter.active ?? null],
  );
  return rows;
}

export async function updateWebhook(q: Queryable, id: number, patch: WebhookPatch): Promise<Webhook | undefined> {
  const set = assignments(patch, COLUMNS, 2);
  if (set.sql === '') return getWebhook(q, id);
  const { rows } = await q.query<Webhook>(`UPDATE webhooks SET ${set.sql} WHERE id = $1 RETURNING *`, [id, ...set.params]);
  return rows[0];
}

export async function deleteWebhook(q: Queryable, id: number): Promise<boolean> {
  return (await q.query('DELETE FROM webhooks WHERE id = $1', [id])).rowCount > 0;
}
