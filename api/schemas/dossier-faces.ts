// Dossier faces (FindFace /dossier-faces/): a photo's face enrolled into a dossier. The vector never leaves the API.
import { Type, type Static } from '@sinclair/typebox';
import { FileField } from '../plugins/multipart.ts';
import { DateTime, Nullable, PageQuery, listOf } from './common.ts';

export const BBox = Type.Object(
  { left: Type.Number(), top: Type.Number(), right: Type.Number(), bottom: Type.Number() },
  { description: 'the face in the source photo, pixels' },
);

export const DossierFace = Type.Object(
  {
    id: Type.Integer(),
    dossier_id: Type.Integer(),
    model_id: Type.String({ description: 'the embedder that made the vector' }),
    quality: Type.Number({ description: 'FindFace scale: 0 best, -2 satisfactory, -5 useless' }),
    source_photo_name: Type.String(),
    create_from: Nullable(Type.String()),
    bbox: BBox,
    created_date: DateTime(),
    modified_date: DateTime(),
  },
  { $id: 'DossierFace' },
);

export const MfSelector = Type.Union([Type.Literal('reject'), Type.Literal('biggest')], {
  description: 'a photo with several faces: reject it (default: enrol.mf_selector), or take the biggest face',
});

export const DossierFaceUpload = Type.Object(
  {
    dossier: Type.Integer({ description: 'the dossier the face is added to' }),
    source_photo: FileField('the photo: JPEG, PNG, WEBP, BMP, TIFF or GIF, ≤ api.image_max_bytes and ≤ api.image_max_side px'),
    mf_selector: Type.Optional(MfSelector),
  },
  { additionalProperties: false },
);
export type DossierFaceUpload = Static<typeof DossierFaceUpload>;

export const DossierFaceQuery = Type.Object({ ...PageQuery, dossier: Type.Optional(Type.Integer({ description: 'faces of this dossier' })) });
export type DossierFaceQuery = Static<typeof DossierFaceQuery>;

export const DossierFaceList = listOf(Type.Ref(DossierFace), 'dossier faces by id');
