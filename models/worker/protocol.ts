// Messages between the pool (main thread) and one model worker. Every request carries an id so answers can
// arrive in any order; images travel as views of SharedArrayBuffers, so posting one does not copy its pixels.
import type { DetectedFace, FaceAttributes, RgbImage } from '../../schemas/records.ts';
import type { AttributesConfig } from '../../pipelines/embed/config.ts';
import type { LoadFaceModelsOptions } from '../face-models.ts';

/** What a worker gets at start: the same options `loadFaceModels` takes in-process. */
export interface WorkerStartData {
  readonly options: LoadFaceModelsOptions;
}

/** Faces of a call, each pointing into `images`: a frame with many faces crosses once, not once per face. */
export interface FacesPayload {
  readonly images: readonly RgbImage[];
  readonly faces: readonly { readonly image: number; readonly face: DetectedFace }[];
}

export type WorkerRequest =
  | { readonly id: number; readonly op: 'detect'; readonly image: RgbImage; readonly detectorImage?: RgbImage }
  | { readonly id: number; readonly op: 'embed'; readonly payload: FacesPayload }
  | { readonly id: number; readonly op: 'attributes'; readonly payload: FacesPayload; readonly which: AttributesConfig }
  /** releases the sessions, then the worker exits */
  | { readonly id: number; readonly op: 'close' };

/** What a worker tells the pool once its models are loaded (the FaceModels fields that are not calls). */
export interface WorkerInfo {
  readonly embedderId: string;
  readonly detectorInput?: { readonly width: number; readonly height: number };
}

/** A request before the pool numbers it. */
export type WorkerRequestBody = WorkerRequest extends infer R ? (R extends WorkerRequest ? Omit<R, 'id'> : never) : never;

/** What a successful request resolves to (checked per operation by the pool's typed methods). */
export type WorkerResult = (WorkerReply & { kind: 'result' })['value'];

export interface WorkerError {
  readonly name: string;
  readonly message: string;
}

export type WorkerReply =
  | { readonly kind: 'ready'; readonly embedderId: string; readonly detectorInput?: WorkerInfo['detectorInput'] }
  | { readonly kind: 'failed'; readonly error: WorkerError }
  | { readonly kind: 'result'; readonly id: number; readonly value: DetectedFace[] | Float32Array[] | FaceAttributes[] | null }
  | { readonly kind: 'error'; readonly id: number; readonly error: WorkerError };

export function toWorkerError(err: unknown): WorkerError {
  return err instanceof Error ? { name: err.name, message: err.message } : { name: 'Error', message: String(err) };
}
