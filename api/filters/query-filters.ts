// FindFace's shared query parameters (schemas/filters.ts) as store filter fields: one reading of the time range,
// the places and the matched / no_match / matched_lists=-1 rules for every family that accepts them.
import { ApiError } from '../errors.ts';
import type { MatchQuery, PlaceQuery, TimeRangeQuery } from '../schemas/filters.ts';

/** Repeated parameters and comma-separated values alike. */
export const list = (v: readonly string[] | undefined): string[] | undefined =>
  v === undefined ? undefined : v.flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s !== '');

/** `o` without its undefined fields (the stores' filters are exactOptionalPropertyTypes-clean). */
export const defined = <T extends object>(o: Record<string, unknown>): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

const ms = (iso: string | undefined): number | undefined => (iso === undefined ? undefined : Date.parse(iso));

/** [from, to) in ms since the epoch: gte/gt give the lower bound, lte/lt the upper; the stricter of two wins. */
export function timeRangeOf(q: TimeRangeQuery): { from?: number; to?: number } {
  const lows = [ms(q.created_date_gte), q.created_date_gt !== undefined ? ms(q.created_date_gt)! + 1 : undefined].filter((x) => x !== undefined);
  const highs = [q.created_date_lte !== undefined ? ms(q.created_date_lte)! + 1 : undefined, ms(q.created_date_lt)].filter((x) => x !== undefined);
  return defined({ from: lows.length ? Math.max(...lows) : undefined, to: highs.length ? Math.min(...highs) : undefined });
}

export function placeOf(q: PlaceQuery): { cameras?: string[]; cameraGroups?: string[] } {
  return defined({ cameras: list(q.cameras), cameraGroups: list(q.camera_groups) });
}

/** matched / no_match / matched_lists (FindFace's -1 = the Unmatched list) / matched_dossier, contradictions refused. */
export function matchOf(q: MatchQuery): { matched?: boolean; watchLists?: string[]; dossiers?: string[] } {
  let matched = q.matched ?? (q.no_match === undefined ? undefined : !q.no_match);
  if (q.matched !== undefined && q.no_match !== undefined && q.matched === q.no_match) {
    throw new ApiError('FS_ERR_VALIDATION', 'no_match: contradicts matched', 'no_match');
  }
  let watchLists = list(q.matched_lists);
  if (watchLists?.includes('-1')) {
    if (watchLists.length > 1) throw new ApiError('FS_ERR_VALIDATION', 'matched_lists: -1 (unmatched) cannot be combined with other lists', 'matched_lists');
    if (matched === true) throw new ApiError('FS_ERR_VALIDATION', 'matched_lists: -1 (unmatched) contradicts matched', 'matched_lists');
    matched = false;
    watchLists = undefined;
  }
  return defined({ matched, watchLists, dossiers: list(q.matched_dossier) });
}
