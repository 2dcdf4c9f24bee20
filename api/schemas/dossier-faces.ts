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
    thumbnail: Nullable(Type.String({ description: 'URL of the face cut from its photo (JPEG); null when the photo was not kept (no frame store)' })),
    created_date: DateTime(),
    modified_date: DateTime(),
  },
  { $id: 'DossierFace' },
);

export const MfSelector = Type.Union([Type.Literal('reject'), Type.Literal('biggest')], {
  description: 'a photo with several faces: reject it (default: enrol.mf_selector), or take the biggest face',
});

export const CreateFrom = Type.String({
  pattern: '^event:[^:]{1,64}$',
  description: 'instead of a photo: the face of a stored event, `event:<id>` (its vector, quality and box; its full frame when the frame store keeps it)',
});

export const DossierFaceUpload = Type.Object(
  {
    dossier: Type.Integer({ description: 'the dossier the face is added to' }),
    source_photo: Type.Optional(FileField('the photo: JPEG, PNG, WEBP, BMP, TIFF or GIF, ≤ api.image_max_bytes and ≤ api.image_max_side px')),
    create_from: Type.Optional(CreateFrom),
    mf_selector: Type.Optional(MfSelector),
  },
  { additionalProperties: false },
);
export type DossierFaceUpload = Static<typeof DossierFaceUpload>;

/** Another dossier that already holds this person's face (FindFace: "a similar dossier exists: merge?"). */
export const DuplicateDossier = Type.Object({
  dossier: Type.Integer(),
  name: Type.String(),
  face: Type.Integer({ description: 'its dossier face most similar to the new one' }),
  confidence: Type.Number(),
});

export const DossierFaceAdded = Type.Object({
  ...DossierFace.properties,
  duplicates: Type.Array(DuplicateDossier, {
    description:
      'a warning, not a refusal: other dossiers you may see with a face at least match.confidence_threshold similar to the new one, most similar first; POST /dossiers/{id}/merge joins them',
  }),
});

export const DossierFaceQuery = Type.Object({ ...PageQuery, dossier: Type.Optional(Type.Integer({ description: 'faces of this dossier' })) });
export type DossierFaceQuery = Static<typeof DossierFaceQuery>;

export const DossierFaceList = listOf(Type.Ref(DossierFace), 'dossier faces by id');
