// /api/v1/detect: FindFace's detect: every face of an uploaded photo with its box, quality and the configured
// attributes (config `attributes`); a photo without faces answers an empty list, not 422.
import type { FastifyInstance } from 'fastify';
import { getSettings } from '../../stores/postgres/repositories/settings.ts';
import { attributesOrNull } from '../../schemas/records.ts';
import { decodeUpload } from '../photos/decode-upload.ts';
import { MULTIPART, requireMultipart } from '../plugins/multipart.ts';
import { errors } from '../schemas/common.ts';
import { DetectResult, DetectUpload } from '../schemas/detect.ts';

export async function detectRoutes(app: FastifyInstance): Promise<void> {
  app.post<{ Body: DetectUpload }>(
    '',
    {
      bodyLimit: app.photoLimits.maxBytes + 1024 * 1024,
      preValidation: requireMultipart,
      schema: {
        tags: ['detect'],
        summary: 'The faces of a photo',
        description: 'multipart/form-data with the file `photo`. 413: photo over the size or pixel limit; 415: not an accepted image format; 422: unreadable image data.',
        consumes: [MULTIPART],
        body: DetectUpload,
        response: { 200: DetectResult, ...errors(413, 415, 422) },
      },
    },
    async (req) => {
      const image = await decodeUpload(req.body.photo, app.photoLimits);
      const found = await app.faces.analyse(image);
      // low_quality against the gate dossier faces pass (runtime setting, else the enrolment default)
      const minimum = (await getSettings(app.db)).minimum_dossier_quality ?? app.enrolDefaults.minimum_dossier_quality;
      return {
        width: image.width,
        height: image.height,
        faces: found.map(({ face, attributes }) => ({
          bbox: { left: face.box.x1, top: face.box.y1, right: face.box.x2, bottom: face.box.y2 },
          detection_score: face.score,
          quality: face.quality,
          low_quality: face.quality < minimum,
          landmarks: face.landmarks5.map(([x, y]) => [x, y]),
          pose: face.pose,
          features: attributesOrNull(attributes),
        })),
      };
    },
  );
}
