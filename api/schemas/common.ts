// Schema pieces every resource uses: ids in paths, pages, list envelopes, dates, error answers.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { ErrorBody } from '../errors.ts';

export const IdParams = Type.Object({ id: Type.Integer({ description: 'record id' }) });
export type IdParams = Static<typeof IdParams>;

export const DateTime = (description?: string) => Type.String({ format: 'date-time', ...(description ? { description } : {}) });

/** FindFace's cursor pagination: `limit` and the `page` cursor from the previous answer's `next_page`. */
export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100, description: 'results per page' })),
  page: Type.Optional(Type.String({ description: 'cursor: `next_page` of the previous answer' })),
};

export const listOf = <T extends TSchema>(item: T, description: string) =>
  Type.Object(
    {
      results: Type.Array(item),
      next_page: Type.Union([Type.String(), Type.Null()], { description: 'pass as `page` for the next page; null on the last one' }),
    },
    { description },
  );

/** Error answers by status, for a route's `response`. */
export function errors(...statuses: number[]): Record<number, typeof ErrorBody> {
  return Object.fromEntries([...new Set([400, 500, ...statuses])].map((s) => [s, ErrorBody]));
}

export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

// one schema typed [number, null], not a union: the API's validator coerces types, and a union's number branch read
// null ("inherit") as the threshold 0
export const ConfidenceThreshold = Type.Unsafe<number | null>({
  type: ['number', 'null'],
  minimum: 0,
  maximum: 1,
  description: 'overrides the global CONFIDENCE_THRESHOLD; null = inherit',
});
