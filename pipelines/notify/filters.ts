// FindFace's webhook filters (PRODUCT-REFERENCE.md §2.5), as a TypeBox schema (the API validates a webhook's
// `filters` with it) and pure functions deciding whether a payload reaches a webhook.
//
// Semantics, FindFace's: `{}` = every object of every type; `{"events": {}}` = every event and nothing else; a
// type's filters must all hold; a list is OR'ed over its values and an empty list lets nothing through ("Do not
// leave a filter empty ([]) as in this case the result of filtration will be empty as well"). Ids compare as text
// (FindFace sends numbers, facestream's cameras and watch lists may be named): `[1]` and `["1"]` are the same.
import { Type, type Static } from '@sinclair/typebox';
import type { CounterPayload, EpisodePayload, EventPayload, Payload, WebhookType } from './payloads.ts';

const Id = Type.Union([Type.Integer(), Type.String({ minLength: 1 })]);
const Ids = (description: string) => Type.Optional(Type.Array(Id, { description: `${description} (any of them)` }));
const Count = (description: string) => Type.Optional(Type.Integer({ minimum: 0, description }));

const common = {
  camera_group_in: Ids('camera group ids'),
  camera_in: Ids('camera ids'),
};

export const EventFilters = Type.Object(
  {
    allowed_bs_types: Type.Optional(Type.Array(Type.Union([Type.Literal('overall'), Type.Literal('realtime')]), { description: 'best-shot modes (any of them)' })),
    ...common,
    matched_lists_in: Ids('watch lists the event matched; -1 = unmatched'),
    matched_dossier_in: Ids('matched dossiers'),
    matched: Type.Optional(Type.Boolean({ description: 'only matched (true) or only unmatched (false) events' })),
    alert: Type.Optional(Type.Boolean({ description: "only alerts (true) or only the rest (false), by the camera's alert mode (docs/CAMERAS.md)" })),
    confidence_gte: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'the best candidate\'s confidence at least this' })),
  },
  { additionalProperties: false },
);

export const EpisodeFilters = Type.Object(
  {
    allowed_types: Type.Optional(
      Type.Array(Type.Union([Type.Literal('episode_open'), Type.Literal('episode_event'), Type.Literal('episode_close')]), { description: 'episode changes (any of them)' }),
    ),
    ...common,
    matched_lists_in: Ids('watch lists the episode matched; -1 = unmatched'),
    matched: Type.Optional(Type.Boolean({ description: 'only matched (true) or only unmatched (false) episodes' })),
    events_count_gte: Count('at least this many events'),
    events_count_lte: Count('at most this many events'),
  },
  { additionalProperties: false },
);

export const CounterFilters = Type.Object(
  {
    counter_in: Ids('counter ids'),
    ...common,
    faces_gte: Count('at least this many faces'),
    faces_lte: Count('at most this many faces'),
    silhouettes_gte: Count('at least this many silhouettes'),
    silhouettes_lte: Count('at most this many silhouettes'),
  },
  { additionalProperties: false },
);

export const WebhookFilters = Type.Object(
  { events: Type.Optional(EventFilters), episodes: Type.Optional(EpisodeFilters), counters: Type.Optional(CounterFilters) },
  {
    additionalProperties: false,
    description: "FindFace's filters per type: {} = everything; {\"events\": {}} = all events only; lists are OR'ed, an empty list passes nothing",
  },
);
export type EventFilters = Static<typeof EventFilters>;
export type EpisodeFilters = Static<typeof EpisodeFilters>;
export type CounterFilters = Static<typeof CounterFilters>;
export type WebhookFilters = Static<typeof WebhookFilters>;

type IdList = ReadonlyArray<string | number> | undefined;

/** A list filter: absent = anything; else one of `values` must be in it. */
function anyIn(list: IdList, ...values: ReadonlyArray<string | null | undefined>): boolean {
  if (list === undefined) return true;
  const wanted = new Set(list.map(String));
  return values.some((v) => v !== null && v !== undefined && wanted.has(v));
}

const atLeast = (min: number | undefined, v: number) => min === undefined || v >= min;
const atMost = (max: number | undefined, v: number) => max === undefined || v <= max;
const is = <T>(want: T | undefined, v: T) => want === undefined || want === v;

export function eventPasses(f: EventFilters, e: EventPayload): boolean {
  return (
    (f.allowed_bs_types === undefined || f.allowed_bs_types.includes(e.bs_type)) &&
    anyIn(f.camera_group_in, e.camera_group) &&
    anyIn(f.camera_in, e.camera) &&
    anyIn(f.matched_lists_in, ...e.matched_lists) &&
    anyIn(f.matched_dossier_in, e.matched_dossier) &&
    is(f.matched, e.matched) &&
    is(f.alert, e.alert) &&
    atLeast(f.confidence_gte, e.confidence)
  );
}

export function episodePasses(f: EpisodeFilters, e: EpisodePayload): boolean {
  return (
    (f.allowed_types === undefined || f.allowed_types.includes(e.event_type)) &&
    anyIn(f.camera_group_in, ...e.camera_groups) &&
    anyIn(f.camera_in, ...e.cameras) &&
    anyIn(f.matched_lists_in, ...e.matched_lists) &&
    is(f.matched, e.matched) &&
    atLeast(f.events_count_gte, e.events_count) &&
    atMost(f.events_count_lte, e.events_count)
  );
}

export function counterPasses(f: CounterFilters, c: CounterPayload): boolean {
  return (
    anyIn(f.counter_in, c.counter) &&
    anyIn(f.camera_group_in, c.camera_group) &&
    anyIn(f.camera_in, c.camera) &&
    atLeast(f.faces_gte, c.faces_count) &&
    atMost(f.faces_lte, c.faces_count) &&
    atLeast(f.silhouettes_gte, c.silhouettes_count) &&
    atMost(f.silhouettes_lte, c.silhouettes_count)
  );
}

/** Whether a webhook with `filters` wants objects of `type` at all. */
export function wantsType(filters: WebhookFilters, type: WebhookType): boolean {
  return Object.keys(filters).length === 0 || filters[type] !== undefined;
}

/** Whether `payload` reaches a webhook with `filters`. */
export function passes(filters: WebhookFilters, payload: Payload): boolean {
  if (!wantsType(filters, payload.webhook_type)) return false;
  switch (payload.webhook_type) {
    case 'events':
      return eventPasses(filters.events ?? {}, payload);
    case 'episodes':
      return episodePasses(filters.episodes ?? {}, payload);
    case 'counters':
      return counterPasses(filters.counters ?? {}, payload);
  }
}
