// Dossiers (FindFace /dossiers/).
import { Type, type Static } from '@sinclair/typebox';
import { DateTime, Nullable, PageQuery, listOf } from './common.ts';

const fields = {
  name: Type.String({ minLength: 1, maxLength: 256 }),
  comment: Type.String({ maxLength: 2048 }),
  meta: Type.Record(Type.String(), Type.Unknown(), { description: 'custom fields' }),
  active: Type.Boolean({ description: 'an inactive dossier takes no part in identification' }),
  watch_list_ids: Type.Array(Type.Integer({ minimum: 1 }), { uniqueItems: true, description: 'the watch lists it is on (never the Unmatched list)' }),
};

export const Dossier = Type.Object(
  { id: Type.Integer(), ...fields, created_by: Nullable(Type.Integer()), created_date: DateTime(), modified_date: DateTime() },
  { $id: 'Dossier' },
);

export const DossierCreate = Type.Object(
  {
    name: fields.name,
    comment: Type.Optional(fields.comment),
    meta: Type.Optional(fields.meta),
    active: Type.Optional(fields.active),
    watch_list_ids: Type.Optional(fields.watch_list_ids),
  },
  { additionalProperties: false },
);
export type DossierCreate = Static<typeof DossierCreate>;

export const DossierPatch = Type.Partial(DossierCreate, { additionalProperties: false, minProperties: 1 });
export type DossierPatch = Static<typeof DossierPatch>;

export const DossierQuery = Type.Object({
  ...PageQuery,
  name_contains: Type.Optional(Type.String({ minLength: 1, description: 'case-insensitive part of the name' })),
  watch_list: Type.Optional(Type.Integer({ description: 'dossiers on this watch list' })),
  active: Type.Optional(Type.Boolean()),
  has_faces: Type.Optional(Type.Boolean()),
});
export type DossierQuery = Static<typeof DossierQuery>;

export const DossierList = listOf(Type.Ref(Dossier), 'dossiers by id');

export const DossierMerge = Type.Object(
  { from: Type.Integer({ minimum: 1, description: 'the dossier merged into this one: its faces move here, then it is deleted' }) },
  { additionalProperties: false },
);
export type DossierMerge = Static<typeof DossierMerge>;

export const DossierMerged = Type.Object({
  dossier: Type.Ref(Dossier),
  faces_moved: Type.Integer(),
  deleted: Type.Integer({ description: 'the id of the merged dossier, now gone' }),
});
