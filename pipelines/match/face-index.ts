// 1:N search over the watch lists behind an interface, so an ANN index (HNSW, IVF) can replace the exact one
// when galleries outgrow it. The exact index keeps every face vector in one flat Float32Array: a search is one
// pass over contiguous memory (10k × 512 floats ≈ 20 MB, a few ms).
import type { MatchCandidate } from '../../schemas/records.ts';
import { createGemmScores, type GemmScores } from './gemm-scores.ts';
import type { WatchList } from './watchlist.ts';

export interface FaceIndex {
  /** vector dimension; 0 for an empty index */
  readonly dim: number;
  /** faces indexed */
  readonly size: number;
  /**
   * The `k` best dossiers for `query`, each by its most similar face, best first; confidence is the cosine
   * (dot product of L2-normalised vectors). Equal confidences are ordered by dossier name.
   */
  search(query: Float32Array, k: number): MatchCandidate[];
  /**
   * search() for many queries at once, in one matrix product (gemm-scores.ts): the same candidates, with
   * confidences that may differ from search()'s in the last float32 bits. What the match stage uses.
   */
  searchMany(queries: readonly Float32Array[], k: number): Promise<MatchCandidate[][]>;
  /** Frees the matrix engine, if one was started. */
  close(): Promise<void>;
}

function normalisedInto(src: Float32Array, dst: Float32Array, offset: number): void {
  let norm = 0;
  for (let i = 0; i < src.length; i++) norm += (src[i] as number) * (src[i] as number);
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (let i = 0; i < src.length; i++) dst[offset + i] = (src[i] as number) * scale;
}

export class ExactFaceIndex implements FaceIndex {
  readonly dim: number;
  readonly size: number;
  private readonly vectors: Float32Array;
  /** faces of dossier d are rows starts[d] … starts[d + 1] − 1 */
  private readonly starts: Int32Array;
  private readonly names: string[];
  private readonly faceIds: string[];
  private readonly faceLists: string[];
  /** made on the first searchMany() */
  private gemm: Promise<GemmScores> | undefined;

  constructor(watchList: WatchList) {
    // Dossiers sorted by name (duplicates merged) make ties and output independent of input order.
    const merged = new Map<string, WatchList['dossiers'][number]['faces'][number][]>();
    for (const d of watchList.dossiers) merged.set(d.name, [...(merged.get(d.name) ?? []), ...d.faces]);
    const dossiers = [...merged].filter(([, faces]) => faces.length > 0).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const all = dossiers.flatMap(([, faces]) => faces);
    this.dim = all[0]?.vector.length ?? 0;
    this.size = all.length;
    this.vectors = new Float32Array(this.size * this.dim);
    this.starts = new Int32Array(dossiers.length + 1);
    this.names = dossiers.map(([name]) => name);
    this.faceIds = all.map((f) => f.id);
    this.faceLists = all.map((f) => f.watchList);
    let row = 0;
    dossiers.forEach(([name, faces], d) => {
      this.starts[d] = row;
      for (const f of faces) {
        if (f.vector.length !== this.dim) throw new RangeError(`face ${f.id} of ${name}: dimension ${f.vector.length}, expected ${this.dim}`);
        normalisedInto(f.vector, this.vectors, row * this.dim);
        row++;
      }
    });
    this.starts[dossiers.length] = row;
  }

  search(query: Float32Array, k: number): MatchCandidate[] {
    if (this.size === 0 || k <= 0) return [];
    const q = this.normalisedQueries([query]);
    const dim = this.dim;
    const v = this.vectors;
    const scores = new Float64Array(this.size);
    for (let r = 0; r < this.size; r++) {
      const base = r * dim;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let i = 0;
      // Four accumulators let the engine overlap multiplications; the tail loop covers dim % 4.
      for (; i + 3 < dim; i += 4) {
        s0 += (q[i] as number) * (v[base + i] as number);
        s1 += (q[i + 1] as number) * (v[base + i + 1] as number);
        s2 += (q[i + 2] as number) * (v[base + i + 2] as number);
        s3 += (q[i + 3] as number) * (v[base + i + 3] as number);
      }
      for (; i < dim; i++) s0 += (q[i] as number) * (v[base + i] as number);
      scores[r] = s0 + s1 + s2 + s3;
    }
    return this.topK(scores, 0, k);
  }

  async searchMany(queries: readonly Float32Array[], k: number): Promise<MatchCandidate[][]> {
    if (this.size === 0 || k <= 0) return queries.map(() => []);
    if (queries.length === 0) return [];
    const q = this.normalisedQueries(queries);
    this.gemm ??= createGemmScores(this.vectors, this.size, this.dim);
    const scores = await (await this.gemm).scores(q, queries.length);
    return queries.map((_, i) => this.topK(scores, i * this.size, k));
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

  /** The `k` best dossiers from one query's scores (scores[offset + row]), each by its best face. */
  private topK(scores: Float32Array | Float64Array, offset: number, k: number): MatchCandidate[] {
    // Top-k kept sorted best first: parallel arrays of confidence, dossier and face row.
    const topConf: number[] = [];
    const topDossier: number[] = [];
    const topFace: number[] = [];
    for (let d = 0; d < this.names.length; d++) {
      let best = -Infinity;
      let bestRow = -1;
      const end = this.starts[d + 1] as number;
      for (let r = this.starts[d] as number; r < end; r++) {
        const s = scores[offset + r] as number;
        if (s > best) {
          best = s;
          bestRow = r;
        }
      }
      // Dossiers come in name order, so a later dossier with an equal confidence goes after: strict `>` below.
      if (topConf.length === k && best <= (topConf[k - 1] as number)) continue;
      let at = topConf.length;
      while (at > 0 && best > (topConf[at - 1] as number)) at--;
      topConf.splice(at, 0, best);
      topDossier.splice(at, 0, d);
      topFace.splice(at, 0, bestRow);
      if (topConf.length > k) {
        topConf.pop();
        topDossier.pop();
        topFace.pop();
      }
    }
    return topConf.map((confidence, i) => {
      const row = topFace[i] as number;
      return {
        dossier: this.names[topDossier[i] as number] as string,
        dossierFace: this.faceIds[row] as string,
        watchList: this.faceLists[row] as string,
        confidence,
      };
    });
  }
}

export function createExactFaceIndex(watchList: WatchList): FaceIndex {
  return new ExactFaceIndex(watchList);
}
