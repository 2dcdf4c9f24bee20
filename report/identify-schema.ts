// What `facestream identify` prints: one JSON document, photos[] each with its faces. Same vocabulary as the
// analysis report's events (report/schema.ts).
import { Type, type Static } from '@sinclair/typebox';
import { AbsoluteBox, Attributes, Candidate, RelativeBox } from './schema.ts';

const strict = { additionalProperties: false } as const;

export const IdentifiedFace = Type.Object(
  {
    bbox: AbsoluteBox,
    bbox_rel: RelativeBox,
    detection_score: Type.Number(),
    quality: Type.Number({ maximum: 0 }),
    attributes: Attributes,
    matched: Type.Boolean(),
    dossier: Type.Union([Type.String(), Type.Null()]),
    confidence: Type.Number(),
    candidates: Type.Array(Candidate),
  },
  strict,
);

export const IdentifyOutput = Type.Object(
  {
    photos: Type.Array(
      Type.Object(
        {
          file: Type.String(),
          width: Type.Optional(Type.Integer()),
          height: Type.Optional(Type.Integer()),
          faces: Type.Array(IdentifiedFace, { description: 'largest face first' }),
          error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() }, strict)),
        },
        strict,
      ),
    ),
  },
  strict,
);
export type IdentifyOutput = Static<typeof IdentifyOutput>;
export type IdentifiedFace = Static<typeof IdentifiedFace>;
