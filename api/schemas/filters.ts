// Query parameters that several /api/v1 families share (events, episodes, search, statistics, acknowledge), in
// FindFace's names, declared once: each family spreads the groups it accepts into its own query schema.
import { Type, type Static, type TObject } from '@sinclair/typebox';
import { DateTime } from './common.ts';

/** A list parameter: repeated (`?cameras=a&cameras=b`) or comma-separated (`?cameras=a,b`). */
export const Ids = (description: string) =>
  Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: `${description}; repeat the parameter or separate with commas` }));

/** FindFace's created_date_gte/gt/lte/lt. */
export const TimeRangeQuery = {
  created_date_gte: Type.Optional(DateTime('at or after')),
  created_date_gt: Type.Optional(DateTime('after')),
  created_date_lte: Type.Optional(DateTime('at or before')),
  created_date_lt: Type.Optional(DateTime('before')),
};
export type TimeRangeQuery = Static<TObject<typeof TimeRangeQuery>>;

/** Where a face was seen. */
export const PlaceQuery = {
  cameras: Ids('camera ids'),
  camera_groups: Ids('camera group ids'),
};
export type PlaceQuery = Static<TObject<typeof PlaceQuery>>;

/** What a face matched. */
export const MatchQuery = {
  matched_lists: Ids('matched through any of these watch lists; -1 alone = unmatched'),
  no_match: Type.Optional(Type.Boolean({ description: 'true: unmatched only; false: matched only' })),
  matched: Type.Optional(Type.Boolean({ description: 'true: matched only; false: unmatched only' })),
  matched_dossier: Ids('matched dossiers'),
};
export type MatchQuery = Static<TObject<typeof MatchQuery>>;

/** Time-ordered lists with FindFace's cursor pages. */
export const TimePageQuery = {
  ordering: Type.Optional(
    Type.Union([Type.Literal('-created_date'), Type.Literal('created_date')], { default: '-created_date', description: 'newest first (default) or oldest first' }),
  ),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 50 })),
  page: Type.Optional(Type.String({ description: 'cursor: `next_page` of the previous answer' })),
};
