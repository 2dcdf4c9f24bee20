// Detect (FindFace /detect): the faces of an uploaded photo with their boxes, quality and attributes.
import { Type, type Static } from '@sinclair/typebox';
import { FileField } from '../plugins/multipart.ts';
import { BBox } from './dossier-faces.ts';
import { Features } from './events.ts';

export const DetectUpload = Type.Object(
  { photo: FileField('the photo: JPEG, PNG, WEBP, BMP, TIFF or GIF, ≤ api.image_max_bytes and ≤ api.image_max_side px') },
  { additionalProperties: false },
);
export type DetectUpload = Static<typeof DetectUpload>;

const Point = Type.Tuple([Type.Number(), Type.Number()]);

export const DetectResult = Type.Object({
  width: Type.Integer({ description: 'of the photo after EXIF orientation, pixels' }),
  height: Type.Integer(),
  faces: Type.Array(
    Type.Object({
      bbox: BBox,
      detection_score: Type.Number({ description: 'detector confidence, 0 … 1' }),
      quality: Type.Number({ description: 'FindFace scale: 0 best, -1 good, -2 satisfactory, -5 useless' }),
      low_quality: Type.Boolean({ description: 'quality below minimum_dossier_quality: this face would not be enrolled' }),
      landmarks: Type.Array(Point, { description: 'eyes (left, right as seen), nose tip, mouth corners, pixels' }),
      pose: Type.Object({ yaw: Type.Number(), pitch: Type.Number(), roll: Type.Number() }, { description: 'head pose from the landmarks, degrees' }),
      features: Features,
    }),
    { description: 'biggest first' },
  ),
});
