// Verify 1:1 (FindFace /verify): are the faces of two photos the same person?
import { Type, type Static } from '@sinclair/typebox';
import { FileField } from '../plugins/multipart.ts';
import { BBox } from './dossier-faces.ts';

export const VerifyUpload = Type.Object(
  { face1: FileField('first photo (its biggest face is compared)'), face2: FileField('second photo (its biggest face is compared)') },
  { additionalProperties: false },
);
export type VerifyUpload = Static<typeof VerifyUpload>;

const Face = Type.Object({ bbox: BBox, quality: Type.Number(), detection_score: Type.Number() });

export const VerifyResult = Type.Object({
  confidence: Type.Number({ description: 'cosine similarity of the two faces\' vectors, -1 … 1' }),
  threshold: Type.Number({ description: 'CONFIDENCE_THRESHOLD in force (match.confidence_threshold)' }),
  same_person: Type.Boolean({ description: 'confidence ≥ threshold' }),
  face1: Face,
  face2: Face,
});
