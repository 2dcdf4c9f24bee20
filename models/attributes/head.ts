// The contract of one attribute head (gender, age, …): a batch of faces in, one partial FaceAttributes per face out.
import type { FaceAttributes } from '../../schemas/records.ts';
import type { AttributesConfig } from '../../pipelines/embed/config.ts';
import type { FaceInImage } from '../face-models.types.ts';
import type { ModelEntry, ModelRole } from '../manifest.ts';
import type { SessionOptions } from '../session.ts';
import type { LandmarkModel } from '../landmarks/landmarks68.ts';

export type AttributeKey = keyof AttributesConfig & keyof FaceAttributes;

export interface AttributeHead {
  readonly key: AttributeKey;
  /** one result per face, all faces in one session call */
  run(faces: readonly FaceInImage[]): Promise<Partial<FaceAttributes>[]>;
  close(): Promise<void>;
}

/** What a head may need besides its own model: the eyes head re-runs the 68-point model for eye corners. */
export interface HeadDeps {
  readonly landmarks: LandmarkModel;
}

export interface AttributeHeadFactory {
  readonly key: AttributeKey;
  /** manifest role of the model this head runs */
  readonly role: ModelRole;
  create(entry: ModelEntry, modelFile: string, session: SessionOptions, deps: HeadDeps): Promise<AttributeHead>;
}
