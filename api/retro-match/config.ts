// Configuration of retro-matching (`api.retro_match`): when a face is added to a dossier, the events of the last
// `window_hours` are searched for it (api/retro-match/matcher.ts). TypeBox schema, type derived.
import { Type, type Static } from '@sinclair/typebox';

export const RetroMatchConfig = Type.Object(
  {
    enabled: Type.Boolean({ default: true, description: 'search past events for every face added to a dossier and record those that match as retro matches' }),
    window_hours: Type.Number({
      default: 168,
      exclusiveMinimum: 0,
      maximum: 24 * 366,
      description: 'how far back events are searched, from the enrolment; the scan costs ~1 s per 1.3 M events in the window (docs/API.md)',
    }),
    threshold: Type.Optional(
      Type.Number({
        minimum: -1,
        maximum: 1,
        description:
          "the global threshold of retro-matching (cosine similarity) in place of `match.confidence_threshold`; absent = that one. As live, a watch list's own threshold comes first, else the event's camera's, else its group's",
      }),
    ),
    limit: Type.Integer({ default: 1000, minimum: 1, maximum: 1000, description: 'most similar retro matches recorded per enrolment (at most one events page)' }),
  },
  { additionalProperties: false, default: {} },
);
export type RetroMatchConfig = Static<typeof RetroMatchConfig>;
