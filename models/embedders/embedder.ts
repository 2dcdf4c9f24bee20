// The contract of an embedder backend and its factory.
import type { ModelEntry } from '../manifest.ts';
import type { SessionOptions } from '../session.ts';
import type { FaceInImage } from '../face-models.types.ts';

export interface Embedder {
  readonly id: string;
  readonly dim: number;
  /** One L2-normalised vector per face, `batchSize` faces per session call. */
  embed(faces: readonly FaceInImage[]): Promise<Float32Array[]>;
  close(): Promise<void>;
}

export interface EmbedderOptions extends SessionOptions {
  /** faces per session call */
  readonly batchSize: number;
}

export interface EmbedderFactory {
  readonly kind: string;
  create(entry: ModelEntry, modelFile: string, opts: EmbedderOptions): Promise<Embedder>;
}
