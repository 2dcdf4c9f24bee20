// The live feed's subscription (/api/v1/live query parameters): the events listing's filters, which feeds, the token.
// Validated by Fastify like any querystring, but attached to the request (attachValidation) so a bad one is answered
// with a close code the browser can read, not an HTTP error on the upgrade.
import { Type, type Static } from '@sinclair/typebox';
import { EventFilterQuery } from './events.ts';
import { Ids } from './filters.ts';

export const LIVE_KINDS = ['events', 'episodes'] as const;
export type LiveKind = (typeof LIVE_KINDS)[number];

export const LiveQuery = Type.Object(
  {
    ...EventFilterQuery.properties,
    // a list parameter like the filters' (comma-separated allowed), its values checked by subscriptionOf()
    kinds: Ids('which feeds: events, episodes (both by default)'),
    token: Type.Optional(Type.String({ description: 'the bearer token, for clients that cannot send an Authorization header (browsers)' })),
  },
  { additionalProperties: false },
);
export type LiveQuery = Static<typeof LiveQuery>;
