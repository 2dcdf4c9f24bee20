// /api/v1/verify: FindFace's verify 1:1 on two uploaded photos (multipart `face1`, `face2`).
import type { FastifyInstance } from 'fastify';
import type { DetectedFace } from '../../schemas/records.ts';
import { decodeUpload } from '../photos/decode-upload.ts';
import { MULTIPART, requireMultipart } from '../plugins/multipart.ts';
import { errors } from '../schemas/common.ts';
import { VerifyResult, VerifyUpload } from '../schemas/verify.ts';

const faceView = (f: DetectedFace) => ({
  bbox: { left: f.box.x1, top: f.box.y1, right: f.box.x2, bottom: f.box.y2 },
  quality: f.quality,
  detection_score: f.score,
});

export async function verifyRoutes(app: FastifyInstance): Promise<void> {
  app.post<{ Body: VerifyUpload }>(
    '',
    {
      bodyLimit: 2 * app.photoLimits.maxBytes + 1024 * 1024,
      preValidation: requireMultipart,
      schema: {
        tags: ['verify'],
        summary: 'Are the faces of two photos the same person?',
        description: 'multipart/form-data with two files, `face1` and `face2`; the biggest face of each is compared. 422 names the photo without a face.',
        consumes: [MULTIPART],
        body: VerifyUpload,
        response: { 200: VerifyResult, ...errors(413, 415, 422) },
      },
    },
    async (req) => {
      const a = await decodeUpload(req.body.face1, app.photoLimits);
      const b = await decodeUpload(req.body.face2, app.photoLimits);
      const v = await app.faces.verify({ image: a, field: 'face1' }, { image: b, field: 'face2' });
      return { confidence: v.confidence, threshold: v.threshold, same_person: v.same_person, face1: faceView(v.faces[0]), face2: faceView(v.faces[1]) };
    },
  );
}
