// What the API asks of the face models: enrol the face of a dossier photo (FindFace's mf_selector and
// MINIMUM_DOSSIER_QUALITY gate, enrolment/enrol-photo.ts), compare two photos (verify 1:1), the vector of a
// photo's face (search by photo) and every face with its attributes (detect). Model calls are queued to the
// models' concurrency: in-process sessions gain nothing from overlapping calls.
import { Value } from '@sinclair/typebox/value';
import { AttributesConfig } from '../../pipelines/embed/config.ts';
import type { EnrolConfig } from '../../pipelines/match/config.ts';
import type { FaceModels } from '../../models/face-models.types.ts';
import { dot } from '../../models/embedders/l2-normalise.ts';
import { EnrolmentRejected, selectEnrolmentFace } from '../../enrolment/enrol-photo.ts';
import type { DetectedFace, FaceAttributes, RgbImage } from '../../schemas/records.ts';
import { ApiError } from '../errors.ts';

export interface FaceServiceOptions {
  readonly models: FaceModels;
  /** FindFace CONFIDENCE_THRESHOLD: the similarity at which verify says "same person" */
  readonly confidenceThreshold: number;
  /** the attribute heads detect runs (config `attributes`); default: that section's defaults */
  readonly attributes?: AttributesConfig;
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

/** A photo's biggest face and its vector: what a search by photo looks for. */
export interface ProbeFace {
  readonly face: DetectedFace;
  readonly vector: Float32Array;
  readonly modelId: string;
  /** faces found in the photo */
  readonly faces: number;
}

export interface AnalysedFace {
  readonly face: DetectedFace;
  readonly attributes: FaceAttributes;
}

const area = (f: DetectedFace) => (f.box.x2 - f.box.x1) * (f.box.y2 - f.box.y1);

export interface FaceService {
  readonly modelId: string;
  readonly confidenceThreshold: number;
  /** The face to enrol from `image`, or 422 naming `field` and the reason (no_face, several_faces, low_quality). */
  enrol(image: RgbImage, field: string, rules: EnrolConfig): Promise<EnrolledFace>;
  /** The biggest face of each photo compared; 422 naming the field of a photo without a face. */
  verify(a: { image: RgbImage; field: string }, b: { image: RgbImage; field: string }): Promise<Verification>;
  /** The biggest face of the photo with its vector; 422 naming `field` when there is no face. */
  probe(image: RgbImage, field: string): Promise<ProbeFace>;
  /** Every face of the photo, biggest first, with the configured attributes; none is an empty list. */
  analyse(image: RgbImage): Promise<AnalysedFace[]>;
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

  const attributes = opts.attributes ?? (Value.Default(AttributesConfig, {}) as AttributesConfig);
  const bySize = (faces: readonly DetectedFace[]) => [...faces].sort((x, y) => area(y) - area(x));

  async function probe(image: RgbImage, field: string): Promise<ProbeFace> {
    const faces = await queued(() => models.detect(image));
    const face = bySize(faces)[0];
    if (!face) throw new ApiError('FS_ERR_NO_USABLE_FACE', `${field}: no face found in the photo`, field, 'no_face');
    const [vector] = await queued(() => models.embed([{ image, face }]));
    return { face, vector: vector!, modelId: models.embedderId, faces: faces.length };
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
      const [pa, pb] = [await probe(a.image, a.field), await probe(b.image, b.field)];
      // both vectors are L2-normalised: their dot product is the cosine
      const confidence = Math.round(dot(pa.vector, pb.vector) * 1e6) / 1e6;
      return { confidence, threshold: opts.confidenceThreshold, same_person: confidence >= opts.confidenceThreshold, faces: [pa.face, pb.face] };
    },
    probe,
    async analyse(image) {
      const faces = bySize(await queued(() => models.detect(image)));
      if (faces.length === 0) return [];
      const found = await queued(() => models.attributes(faces.map((face) => ({ image, face })), attributes));
      return faces.map((face, i) => ({ face, attributes: found[i] ?? {} }));
    },
  };
}
