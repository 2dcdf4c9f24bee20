// Episodes (FindFace /episodes/): the events of one person within a time window, LIVE (open) or closed.
import { Type, type Static } from '@sinclair/typebox';
import { DateTime, Nullable, listOf } from './common.ts';
import { FaceEvent } from './events.ts';
import { Ids, MatchQuery, PlaceQuery, TimePageQuery, TimeRangeQuery } from './filters.ts';

export const EpisodeQuery = Type.Object({
  ...TimeRangeQuery,
  id: Ids('episode ids'),
  ...PlaceQuery,
  ...MatchQuery,
  open: Type.Optional(Type.Boolean({ description: 'true: LIVE episodes only; false: closed only' })),
  ...TimePageQuery,
});
export type EpisodeQuery = Static<typeof EpisodeQuery>;

const fields = {
  id: Type.String(),
  created_date: DateTime('time of the first event'),
  last_event_date: DateTime('time of the latest event'),
  closed_date: Nullable(DateTime('when closed (time of its last event); null while LIVE')),
  open: Type.Boolean({ description: 'LIVE: events may still join' }),
  events_count: Type.Integer(),
  best_event: Type.String({ description: 'id of the best event (best quality)' }),
  last_event: Nullable(Type.String({ description: 'id of the latest event' })),
  matched_event: Nullable(Type.String({ description: 'id of the first matched event' })),
  matched: Type.Boolean(),
  matched_dossier: Nullable(Type.String()),
  matched_lists: Type.Array(Type.String(), { description: 'watch lists the events matched through; ["-1"] when none matched' }),
  cameras: Type.Array(Type.String()),
  camera_groups: Type.Array(Type.String()),
  acknowledged: Type.Boolean({ description: 'every event of the episode is acknowledged' }),
};

export const Episode = Type.Object(fields, { $id: 'Episode' });

export const EpisodeWithEvents = Type.Object({
  ...fields,
  events: Type.Array(Type.Ref(FaceEvent), { description: 'the episode\'s events, oldest first (at most 1000: page on with GET /events?episode=<id>)' }),
});

export const EpisodeList = listOf(Type.Ref(Episode), 'episodes by start time');

export const EpisodeIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
export type EpisodeIdParams = Static<typeof EpisodeIdParams>;

export const EpisodeClipQuery = Type.Object({
  camera: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: 'which camera’s clip, for an episode seen on several; default: the first that has one' })),
});
export type EpisodeClipQuery = Static<typeof EpisodeClipQuery>;

export const EpisodeClip = Type.String({ format: 'binary', description: 'an MP4 (H.264 as the camera sent it)' });
