// Camera groups (FindFace /camera-groups/).
import { Type, type Static } from '@sinclair/typebox';
import { ConfidenceThreshold, DateTime, PageQuery, listOf } from './common.ts';

const fields = {
  name: Type.String({ minLength: 1, maxLength: 256 }),
  comment: Type.String({ maxLength: 2048 }),
  active: Type.Boolean(),
  labels: Type.Record(Type.String(), Type.String(), { description: 'allocation labels: which ingest workers may take this group\'s cameras' }),
  deduplicate: Type.Boolean({ description: 'deduplicate events across the group\'s cameras' }),
  deduplicate_delay: Type.Integer({ minimum: 0, maximum: 10000, description: 'seconds' }),
  confidence_threshold: ConfidenceThreshold,
};

export const CameraGroup = Type.Object(
  { id: Type.Integer(), ...fields, created_date: DateTime(), modified_date: DateTime() },
  { $id: 'CameraGroup' },
);

export const CameraGroupCreate = Type.Object(
  {
    name: fields.name,
    comment: Type.Optional(fields.comment),
    active: Type.Optional(fields.active),
    labels: Type.Optional(fields.labels),
    deduplicate: Type.Optional(fields.deduplicate),
    deduplicate_delay: Type.Optional(fields.deduplicate_delay),
    confidence_threshold: Type.Optional(fields.confidence_threshold),
  },
  { additionalProperties: false },
);
export type CameraGroupCreate = Static<typeof CameraGroupCreate>;

export const CameraGroupPatch = Type.Partial(CameraGroupCreate, { additionalProperties: false, minProperties: 1 });
export type CameraGroupPatch = Static<typeof CameraGroupPatch>;

export const CameraGroupQuery = Type.Object({ ...PageQuery, active: Type.Optional(Type.Boolean()) });
export type CameraGroupQuery = Static<typeof CameraGroupQuery>;

export const CameraGroupList = listOf(Type.Ref(CameraGroup), 'camera groups by id');
