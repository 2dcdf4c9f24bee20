// Enrolment of one watch-list photo: decode, find the face FindFace-style (`mf_selector`), gate its quality
// (`MINIMUM_DOSSIER_QUALITY`), embed it. Every refusal is an EnrolmentRejected naming the file and the reason.
import type { EnrolConfig } from '../pipelines/match/config.ts';
import type { FaceModels } from '../models/face-models.types.ts';
import { PhotoError, readPhoto, type PhotoErrorCode } from '../models/image/read-photo.ts';
import type { DetectedFace, RgbImage } from '../schemas/records.ts';

export type EnrolRejectCode = 'no_face' | 'several_faces' | 'low_quality' | PhotoErrorCode;

export class EnrolmentRejected extends Error {
  constructor(
    readonly code: EnrolRejectCode,
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'EnrolmentRejected';
  }
}

export interface EnrolledPhoto {
  readonly image: RgbImage;
  readonly face: DetectedFace;
  readonly vector: Float32Array;
}

const area = (f: DetectedFace) => (f.box.x2 - f.box.x1) * (f.box.y2 - f.box.y1);

/** Picks the face to enrol from a photo's detections, or says why none can be. Pure. */
export function selectEnrolmentFace(faces: readonly DetectedFace[], cfg: EnrolConfig, file: string): DetectedFace {
  if (faces.length === 0) throw new EnrolmentRejected('no_face', file, 'no face found in the photo');
  if (faces.length > 1 && cfg.mf_selector === 'reject') {
    throw new EnrolmentRejected(
      'several_faces',
      file,
      `${faces.length} faces found; a watch-list photo must show one person (or set enrol.mf_selector to "biggest")`,
    );
  }
  const face = [...faces].sort((a, b) => area(b) - area(a))[0]!;
  if (face.quality < cfg.minimum_dossier_quality) {
    throw new EnrolmentRejected(
      'low_quality',
      file,
      `face quality ${face.quality.toFixed(2)} is below enrol.minimum_dossier_quality ${cfg.minimum_dossier_quality} (0 best … -5 useless): use a sharper, larger, more frontal photo`,
    );
  }
  return face;
}

export async function enrolPhoto(models: FaceModels, file: string, cfg: EnrolConfig): Promise<EnrolledPhoto> {
  let image: RgbImage;
  try {
    image = await readPhoto(file);
  } catch (err) {
    if (err instanceof PhotoError) throw new EnrolmentRejected(err.code, file, err.message.replace(`${file}: `, ''));
    throw err;
  }
  const face = selectEnrolmentFace(await models.detect(image), cfg, file);
  const [vector] = await models.embed([{ image, face }]);
  return { image, face, vector: vector! };
}
