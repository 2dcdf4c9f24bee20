// Runtime settings (FindFace's GET/PATCH /settings): one row per key that differs from the configured default.
import type { Queryable } from '../db.ts';
import type { RuntimeSettings } from '../rows.ts';

/** The stored settings (keys never set are absent). */
export async function getSettings(q: Queryable): Promise<RuntimeSettings> {
  const { rows } = await q.query<{ key: string; value: unknown }>('SELECT key, value FROM settings ORDER BY key');
  return Object.fromEntries(rows.map((r) => [r.key, r.value])) as RuntimeSettings;
}

/** Sets the given keys (upsert) and removes those given as null (back to the default), in one transaction. */
export function updateSettings(
  q: Queryable,
  patch: { readonly [K in keyof RuntimeSettings]?: RuntimeSettings[K] | null },
): Promise<RuntimeSettings> {
  return q.transaction(async (tx) => {
    for (const [key, value] of Object.entries(patch)) {
      if (value === undefined) continue;
      if (value === null) await tx.query('DELETE FROM settings WHERE key = $1', [key]);
      else {
        await tx.query(
          `INSERT INTO settings (key, value) VALUES ($1, $2::text::jsonb)
           ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
          [key, JSON.stringify(value)],
        );
      }
    }
    return getSettings(tx);
  });
}
