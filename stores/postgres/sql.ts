// Small SQL builders shared by the repositories. Values always go as parameters; only column names from a
// repository's own constant list ever become SQL text.
import type { Page } from './rows.ts';

/** How a column takes its value: as is, or as JSON text cast to jsonb (pg would turn a JS array into a SQL array). */
export type ColumnKind = 'value' | 'json';

/**
 * `col = $n, …` for the keys of `patch` that `columns` lists and that are not undefined, numbering parameters from
 * `first`. Keys not in `columns` are ignored (relations and read-only fields are handled by the caller).
 */
export function assignments<P extends object>(
  patch: P,
  columns: Partial<Readonly<Record<keyof P, ColumnKind>>>,
  first: number,
): { readonly sql: string; readonly params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  for (const [key, kind] of Object.entries(columns) as [keyof P & string, ColumnKind][]) {
    const value = patch[key];
    if (value === undefined) continue;
    params.push(kind === 'json' ? JSON.stringify(value) : value);
    parts.push(kind === 'json' ? `${key} = $${first + params.length - 1}::text::jsonb` : `${key} = $${first + params.length - 1}`);
  }
  return { sql: parts.join(', '), params };
}

export const DEFAULT_PAGE = 100;
export const MAX_PAGE = 1000;

/** [after_id, limit] for `WHERE id > $a … ORDER BY id LIMIT $b`. */
export function pageParams(page: Page = {}): [number, number] {
  const limit = Math.min(Math.max(Math.trunc(page.limit ?? DEFAULT_PAGE), 1), MAX_PAGE);
  return [page.after_id ?? -2_147_483_648, limit]; // ids are int4
}

/** A LIKE pattern matching `text` anywhere, with %, _ and \ in it taken literally. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Unique ids, ascending (for relation lists). */
export function idSet(ids: readonly number[]): number[] {
  return [...new Set(ids)].sort((a, b) => a - b);
}

/**
 * `(col, …) VALUES ($n, …)` for the keys of `row` that `columns` lists and that are not undefined (the others take
 * their column defaults), numbering parameters from `first`.
 */
export function insertValues<R extends object>(
  row: R,
  columns: Partial<Readonly<Record<keyof R, ColumnKind>>>,
  first = 1,
): { readonly sql: string; readonly params: unknown[] } {
  const names: string[] = [];
  const values: string[] = [];
  const params: unknown[] = [];
  for (const [key, kind] of Object.entries(columns) as [keyof R & string, ColumnKind][]) {
    const value = row[key];
    if (value === undefined) continue;
    params.push(kind === 'json' ? JSON.stringify(value) : value);
    names.push(key);
    values.push(kind === 'json' ? `$${first + params.length - 1}::text::jsonb` : `$${first + params.length - 1}`);
  }
  if (names.length === 0) return { sql: 'DEFAULT VALUES', params };
  return { sql: `(${names.join(', ')}) VALUES (${values.join(', ')})`, params };
}
