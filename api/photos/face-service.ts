// What the API asks of the face models: enrol the face of a dossier photo (FindFace's mf_selector and
// MINIMUM_DOSSIER_QUALITY gate, enrolment/enrol-photo.ts), and compare two photos (verify 1:1). Model calls are
// queued to the models' concurrency: in-process sessions gain nothing from overlapping calls.
import type { EnrolConfig } from '../../pipelines/match/config.ts';
import type { FaceModels } from '../../models/face-models.types.ts';
import { EnrolmentRejected, selectEnrolmentFace } from '../../enrolment/enrol-photo.ts';
import type { DetectedFace, RgbImage } from '../../schemas/records.ts';
import { ApiError } from '../errors.ts';

export interface FaceServiceOptions {
  readonly models: FaceModels;
  /** FindFace CONFIDENCE_THRESHOLD: the similarity at which verify says "same person" */
  readonly confidenceThreshold: number;
}

export interface EnrolledFace {
  readonly face: DetectedFace;
  readonly vector: Float32Array;
  readonly modelId: string;
}

export interface Verification {
  readonly confidence: number;
  readonly threshold: number;
  readonly same_person: boolean;
  readonly faces: readonly [DetectedFace, DetectedFace];
}

const area = (f: DetectedFace) => (f.box.x2 - f.box.x1) * (f.box.y2 - f.box.y1);

export interface FaceService {
  readonly modelId: string;
  readonly confidenceThreshold: number;
  /** The face to enrol from `image`, or 422 naming `field` and the reason (no_face, several_faces, low_quality). */
  enrol(image: RgbImage, field: string, rules: EnrolConfig): Promise<EnrolledFace>;
  /** The biggest face of each photo compared; 422 naming the field of a photo without a face. */
  verify(a: { image: RgbImage; field: string }, b: { image: RgbImage; field: string }): Promise<Verification>;
}

export function createFaceService(opts: FaceServiceOptions): FaceService {
  const { models } = opts;
  const slots = Math.max(1, models.concurrency);
  let running = 0;
  const waiting: Array<() => void> = [];
  async function queued<T>(fn: () => Promise<T>): Promise<T> {
    if (running >= slots) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await fn();
    } finally {
      running--;
      waiting.shift()?.();
    }
  }

  async function biggestFace(image: RgbImage, field: string): Promise<DetectedFace> {
    const faces = await queued(() => models.detect(image));
    const face = [...faces].sort((x, y) => area(y) - area(x))[0];
    if (!face) throw new ApiError('FS_ERR_NO_USABLE_FACE', `${field}: no face found in the photo`, field, 'no_face');
    return face;
  }

  return {
    modelId: models.embedderId,
    confidenceThreshold: opts.confidenceThreshold,
    async enrol(image, field, rules) {
      const faces = await queued(() => models.detect(image));
      let face: DetectedFace;
      try {
        face = selectEnrolmentFace(faces, rules, field);
      } catch (err) {
        if (err instanceof EnrolmentRejected) throw new ApiError('FS_ERR_NO_USABLE_FACE', err.message, field, err.code);
        throw err;
      }
      const [vector] = await queued(() => models.embed([{ image, face }]));
      return { face, vector: vector!, modelId: models.embedderId };
    },
    async verify(a, b) {
      const [fa, fb] = [await biggestFace(a.image, a.field), await biggestFace(b.image, b.field)];
      const [va, vb] = await queued(() =>
        models.embed([
          { image: a.image, face: fa },
          { image: b.image, face: fb },
        ]),
      );
      let dot = 0;
      for (let i = 0; i < va!.length; i++) dot += va![i]! * vb![i]!;
      const confidence = Math.round(dot * 1e6) / 1e6;
      return { confidence, threshold: opts.confidenceThreshold, same_person: confidence >= opts.confidenceThreshold, faces: [fa, fb] };
    },
  };
}
