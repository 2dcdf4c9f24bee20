// Retro matches (api/retro-match/): past events found to match a face when it was added to a dossier. The event
// filters of /events apply to the event; `dossiers` and `watch_lists` to the retro match.
import { Type, type Static } from '@sinclair/typebox';
import { DateTime } from './common.ts';
import { Dossier } from './dossiers.ts';
import { EventFilterQuery, FaceEvent } from './events.ts';
import { Ids, TimePageQuery } from './filters.ts';

export const RetroMatchQuery = Type.Object({
  ...EventFilterQuery.properties,
  dossiers: Ids('retro matches to these dossiers'),
  watch_lists: Ids('retro matches through any of these watch lists (the dossier\'s lists when found)'),
  ...TimePageQuery,
});
export type RetroMatchQuery = Static<typeof RetroMatchQuery>;

export const RetroMatchItem = Type.Object({
  confidence: Type.Number({ description: 'cosine similarity of the event and the dossier face' }),
  dossier_face: Type.String({ description: 'the dossier face whose enrolment found the event' }),
  watch_lists: Type.Array(Type.String(), { description: 'the dossier\'s watch lists when found' }),
  created_date: DateTime('when the retro match was found'),
  event: Type.Ref(FaceEvent),
  dossier: Type.Ref(Dossier),
});

export const RetroMatchList = Type.Object({
  results: Type.Array(RetroMatchItem),
  next_page: Type.Union([Type.String(), Type.Null()], { description: 'pass as `page` for the next page; null on the last one' }),
});
