// FindFace's cursor pagination over the identity store's id-ordered lists: `page` is the last id of the previous
// page (opaque to clients), one row more than asked tells whether another page exists.
import { ApiError } from './errors.ts';

export interface IdPage {
  readonly after_id?: number;
  readonly limit: number;
}

export function idPage(query: { readonly limit?: number; readonly page?: string }): IdPage {
  const limit = query.limit ?? 100;
  if (query.page === undefined) return { limit: Math.min(limit + 1, 1000) };
  if (!/^-?\d{1,10}$/.test(query.page)) throw new ApiError('FS_ERR_VALIDATION', 'page: not a cursor of this list', 'page');
  return { after_id: Number(query.page), limit: Math.min(limit + 1, 1000) };
}

export function pageResult<R extends { readonly id: number }>(rows: readonly R[], query: { readonly limit?: number }): { results: R[]; next_page: string | null } {
  const limit = query.limit ?? 100;
  const results = rows.slice(0, limit);
  const more = rows.length > limit || (limit === 1000 && rows.length === 1000);
  const last = results[results.length - 1];
  return { results, next_page: more && last ? String(last.id) : null };
}
