// Search by face (FindFace's Search tab and `looks_like`): over event history or over the dossiers, the face given
// as a reference (GET, `looks_like=event:<id>|dossierface:<id>`) or as an uploaded photo (POST, multipart `photo`).
import { Type, type Static, type TProperties } from '@sinclair/typebox';
import { FileField } from '../plugins/multipart.ts';
import { Nullable } from './common.ts';
import { BBox } from './dossier-faces.ts';
import { Dossier } from './dossiers.ts';
import { FaceEvent } from './events.ts';
import { Ids, PlaceQuery, TimeRangeQuery } from './filters.ts';

const common = {
  threshold: Type.Optional(
    Type.Number({
      minimum: -1,
      maximum: 1,
      description:
        "cosine similarity at least this; default: match.confidence_threshold (0.39 for the bundled model), our calibrated equivalent of FindFace's search default 0.75 (docs/API.md)",
    }),
  ),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100, description: 'most results' })),
  ordering: Type.Optional(
    Type.Union([Type.Literal('-confidence'), Type.Literal('-created_date')], { default: '-confidence', description: 'most similar first (default), or newest first' }),
  ),
};

const eventFilters = { ...common, ...TimeRangeQuery, ...PlaceQuery };
const dossierFilters = { ...common, watch_lists: Ids('only dossiers on any of these watch lists') };

// FindFace's face references a search accepts (`detection:<id>` has no counterpart: detections are not kept)
const LooksLike = Type.String({ pattern: '^(event|dossierface):[^:]+$', description: 'the face to look for: event:<id> or dossierface:<id>' });
const Photo = FileField('a photo whose biggest face is looked for: JPEG, PNG, WEBP, BMP, TIFF or GIF, ≤ api.image_max_bytes and ≤ api.image_max_side px');

const byReference = <T extends TProperties>(filters: T) => Type.Object({ looks_like: LooksLike, ...filters });
const byPhoto = <T extends TProperties>(filters: T) => Type.Object({ photo: Photo, ...filters }, { additionalProperties: false });

export const EventSearchQuery = byReference(eventFilters);
export type EventSearchQuery = Static<typeof EventSearchQuery>;
export const EventSearchUpload = byPhoto(eventFilters);
export type EventSearchUpload = Static<typeof EventSearchUpload>;
export const DossierSearchQuery = byReference(dossierFilters);
export type DossierSearchQuery = Static<typeof DossierSearchQuery>;
export const DossierSearchUpload = byPhoto(dossierFilters);
export type DossierSearchUpload = Static<typeof DossierSearchUpload>;

const SearchedFace = Type.Object({
  source: Type.Union([Type.Literal('photo'), Type.Literal('event'), Type.Literal('dossierface')]),
  id: Nullable(Type.String({ description: 'the event or dossier face; null for a photo' })),
  model_id: Type.String(),
  bbox: Nullable(BBox),
  faces_in_photo: Nullable(Type.Integer({ description: 'faces in the photo (the biggest is searched for); null for a stored face' })),
});

const answer = <T extends TProperties>(item: T) =>
  Type.Object({
    threshold: Type.Number({ description: 'the threshold applied' }),
    query: SearchedFace,
    results: Type.Array(Type.Object({ confidence: Type.Number({ description: 'cosine similarity to the searched face' }), ...item })),
  });

export const EventSearchResult = answer({ event: Type.Ref(FaceEvent) });
export const DossierSearchResult = answer({ dossier: Type.Ref(Dossier), dossier_face: Type.Integer({ description: "the dossier's most similar face" }) });
