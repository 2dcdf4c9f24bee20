// Watch lists (FindFace /dossier-lists/), including the built-in Unmatched list (id -1).
import { Type, type Static } from '@sinclair/typebox';
import { ConfidenceThreshold, DateTime, PageQuery, listOf } from './common.ts';

const fields = {
  name: Type.String({ minLength: 1, maxLength: 256 }),
  comment: Type.String({ maxLength: 2048 }),
  color: Type.String({ pattern: '^[0-9a-f]{6}$', description: 'label colour, six lower-case hex digits' }),
  notify: Type.Boolean({ description: 'sound alert on a match' }),
  acknowledge: Type.Boolean({ description: 'a match must be acknowledged' }),
  confidence_threshold: ConfidenceThreshold,
  active: Type.Boolean(),
  camera_group_ids: Type.Array(Type.Integer(), { uniqueItems: true, description: 'camera groups the list is monitored on; empty = all' }),
};

export const WatchList = Type.Object(
  {
    id: Type.Integer({ description: '-1 is the built-in Unmatched list' }),
    ...fields,
    builtin: Type.Boolean({ description: 'the built-in Unmatched list: can be changed, not deleted' }),
    created_date: DateTime(),
    modified_date: DateTime(),
  },
  { $id: 'WatchList' },
);

export const WatchListCreate = Type.Object(
  {
    name: fields.name,
    comment: Type.Optional(fields.comment),
    color: Type.Optional(fields.color),
    notify: Type.Optional(fields.notify),
    acknowledge: Type.Optional(fields.acknowledge),
    confidence_threshold: Type.Optional(fields.confidence_threshold),
    active: Type.Optional(fields.active),
    camera_group_ids: Type.Optional(fields.camera_group_ids),
  },
  { additionalProperties: false },
);
export type WatchListCreate = Static<typeof WatchListCreate>;

export const WatchListPatch = Type.Partial(WatchListCreate, { additionalProperties: false, minProperties: 1 });
export type WatchListPatch = Static<typeof WatchListPatch>;

export const WatchListQuery = Type.Object({
  ...PageQuery,
  active: Type.Optional(Type.Boolean()),
  camera_group: Type.Optional(Type.Integer({ description: 'lists monitored on this camera group (lists on all groups included)' })),
});
export type WatchListQuery = Static<typeof WatchListQuery>;

export const WatchListList = listOf(Type.Ref(WatchList), 'watch lists by id (the Unmatched list first)');

export const PurgeResult = Type.Object({ deleted: Type.Integer({ description: 'dossiers deleted' }) });
