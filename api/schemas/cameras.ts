// Cameras (FindFace /cameras/).
import { Type, type Static } from '@sinclair/typebox';
import { ConfidenceThreshold, DateTime, PageQuery, listOf } from './common.ts';
import { StreamSettings } from '../../pipelines/cameras/settings.ts';

const fields = {
  name: Type.String({ minLength: 1, maxLength: 256 }),
  camera_group_id: Type.Integer({ description: 'the camera group' }),
  url: Type.String({
    minLength: 1,
    maxLength: 2048,
    description: 'rtsp://, rtsps://, http(s):// or file:// URL; loopback, link-local and private hosts are refused unless allowed (api.allowed_networks)',
  }),
  comment: Type.String({ maxLength: 2048 }),
  active: Type.Boolean(),
  confidence_threshold: ConfidenceThreshold,
  stream_settings: StreamSettings,
};

export const Camera = Type.Object({ id: Type.Integer(), ...fields, created_date: DateTime(), modified_date: DateTime() }, { $id: 'Camera' });

export const CameraCreate = Type.Object(
  {
    name: fields.name,
    camera_group_id: Type.Optional(Type.Integer({ description: 'the camera group; default: the Default group' })),
    url: fields.url,
    comment: Type.Optional(fields.comment),
    active: Type.Optional(fields.active),
    confidence_threshold: Type.Optional(fields.confidence_threshold),
    stream_settings: Type.Optional(fields.stream_settings),
  },
  { additionalProperties: false },
);
export type CameraCreate = Static<typeof CameraCreate>;

export const CameraPatch = Type.Partial(Type.Object(fields), { additionalProperties: false, minProperties: 1 });
export type CameraPatch = Static<typeof CameraPatch>;

export const CameraQuery = Type.Object({
  ...PageQuery,
  camera_group: Type.Optional(Type.Integer({ description: 'cameras of this group' })),
  active: Type.Optional(Type.Boolean()),
});
export type CameraQuery = Static<typeof CameraQuery>;

export const CameraList = listOf(Type.Ref(Camera), 'cameras by id');
