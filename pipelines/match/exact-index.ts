// The exact FaceIndex: every face vector in one flat Float32Array, row = the face's slot (face-table.ts). A search
// is one pass over contiguous memory (10k × 512 floats ≈ 20 MB, a few ms); searchMany is one matrix product.
// The reference the HNSW index is measured against, and the default below a few tens of thousands of faces.
import type { FoundCandidate } from './face-index.ts';
import type { FaceIndex } from './face-index.ts';
import { dimensionWith, FaceTable, facesOf, normalisedInto, removeFaces, SlotVectors, type IndexedFace } from './face-table.ts';
import { createPairScores, type PairScores } from './gemm-scores.ts';
import type { WatchList } from './watchlist.ts';

export class ExactFaceIndex implements FaceIndex {
  dim: number;
  private readonly table = new FaceTable();
  /** row r = slot r; a free slot's row is zero and skipped by the table */
  private readonly vectors = new SlotVectors();
  /**
   * Made on the first searchMany(). The gallery is an input of each product, not a constant of the model, so
   * add() and remove() change what the next search sees without a new session (making one copies the gallery
   * and took ~0.7 s at 10k faces here, far too long to pay on every enrolment).
   */
  private gemm: Promise<PairScores> | undefined;

  constructor(watchList: WatchList) {
    const faces = facesOf(watchList);
    this.dim = faces[0]?.vector.length ?? 0;
    this.add(faces);
  }

  get size(): number {
    return this.table.size;
  }

  add(faces: readonly IndexedFace[]): void {
    this.dim = dimensionWith(this.dim, faces);
    for (const face of faces) {
      // a face enrolled again (same id) replaces the old vector
      this.remove([face.id]);
      this.vectors.set(this.table.insert(face), face.vector);
    }
  }

  remove(faceIds: readonly string[]): number {
    return removeFaces(this.table, this.vectors, faceIds);
  }

  /** Every face indexed, its vector a view of this index's (unit length) row: what another index is built from. */
  faces(): IndexedFace[] {
    return Array.from({ length: this.table.slotCount }, (_, slot) => {
      const face = this.table.faceAt(slot);
      return face ? [{ ...face, vector: this.vectors.data.subarray(slot * this.dim, (slot + 1) * this.dim) }] : [];
    }).flat();
  }

  async search(query: Float32Array, k: number): Promise<FoundCandidate[]> {
    return this.scan(query, k);
  }

  /** One query scored in JS, row by row: no matrix engine to start for a single search. */
  private scan(query: Float32Array, k: number): FoundCandidate[] {
    if (this.size === 0 || k <= 0) return [];
    const q = this.normalisedQueries([query]);
    const rows = this.table.slotCount;
    const scores = new Float64Array(rows);
    for (let r = 0; r < rows; r++) scores[r] = this.vectors.dot(r, q);
    return this.table.topDossiers(rows, (r) => r, (r) => scores[r] as number, k);
  }

  async searchMany(queries: readonly Float32Array[], k: number): Promise<FoundCandidate[][]> {
    if (this.size === 0 || k <= 0) return queries.map(() => []);
    if (queries.length === 0) return [];
    const q = this.normalisedQueries(queries);
    const rows = this.table.slotCount;
    this.gemm ??= createPairScores(this.dim);
    const scores = await (await this.gemm).scores(q, queries.length, this.vectors.data.subarray(0, rows * this.dim), rows);
    return queries.map((_, i) => this.table.topDossiers(rows, (r) => r, (r) => scores[i * rows + r] as number, k));
  }

  async close(): Promise<void> {
    const gemm = this.gemm;
    this.gemm = undefined;
    await (await gemm)?.close();
  }

  /** The queries L2-normalised, back to back; a query of another dimension is refused. */
  private normalisedQueries(queries: readonly Float32Array[]): Float32Array {
    const out = new Float32Array(queries.length * this.dim);
    queries.forEach((query, i) => {
      if (query.length !== this.dim) throw new RangeError(`query dimension ${query.length}, index dimension ${this.dim}`);
      normalisedInto(query, out, i * this.dim);
    });
    return out;
  }
}

export function createExactFaceIndex(watchList: WatchList): ExactFaceIndex {
  return new ExactFaceIndex(watchList);
}
