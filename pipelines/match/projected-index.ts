// The projected FaceIndex, for galleries too large to scan in float32 on every event: each face is also kept as a
// short int8 code (its projection on the gallery's `dims` strongest principal axes, principal-axes.ts), one
// onnxruntime pass over every code picks the `candidates` most similar faces and re-scores them with their float32
// vectors (int8-scan.ts), so confidences are exact. Unlike a graph, it has no path to get lost on:
// every face is compared, only on 64 bytes instead of 2 KiB. A face is missed only when more than `candidates`
// faces out-rank it on the codes.
//
// The codes live in the scan's model (packed once), so enrolments do not change it: a face added or removed since
// the model was made is "stale": its code is ignored and it is scored in float32 on every query instead, until a
// rebuild (started in the background once REBUILD_AFTER faces are stale) takes it in. The axes are learned again
// when the gallery has doubled since they were.
import type { ProjectedConfig } from './config.ts';
import type { FaceIndex, FoundCandidate } from './face-index.ts';
import { dimensionWith, FaceTable, facesOf, normalisedInto, removeFaces, SlotVectors, type IndexedFace } from './face-table.ts';
import { createGemmScores } from './gemm-scores.ts';
import { createInt8Scan, QUERY_ZERO_POINT, type Int8Scan } from './int8-scan.ts';
import { principalAxes } from './principal-axes.ts';
import type { WatchList } from './watchlist.ts';

/** stale slots (each scored in JS on every query, ~1–2 µs at 1M faces) that start a rebuild of the codes */
const REBUILD_AFTER = 1024;
/** faces the axes are learned from at most (a spread sample of the gallery) */
const AXES_SAMPLE = 20_000;
/** faces projected per onnxruntime call while codes are made */
const CHUNK = 50_000;

/** The principal axes and how each is scaled onto int8. */
interface Projection {
  /** dims × dim, rows unit length */
  readonly axes: Float32Array;
  /** per axis: the value mapped to ±127 (4 RMS of the unit-length projections; beyond it codes saturate) */
  readonly scale: Float32Array;
  /** gallery size the axes were learned at */
  readonly learnedAt: number;
}

interface Codes {
  readonly scan: Int8Scan;
  readonly projection: Projection;
  /** the change clock when the codes were read: faces changed after it are stale */
  readonly snapshot: number;
  /** searches running on these codes; replaced codes are released when the last one ends */
  searching: number;
  replaced: boolean;
}

export class ProjectedFaceIndex implements FaceIndex {
  dim: number;
  private readonly table = new FaceTable();
  private readonly vectors = new SlotVectors();
  /** slot → the change clock at its last add or remove, for slots changed since the codes were made */
  private readonly changed = new Map<number, number>();
  private clock = 0;
  private codes: Codes | undefined;
  private building: Promise<void> | undefined;
  private buildError: unknown;

  constructor(
    watchList: WatchList,
    private readonly params: ProjectedConfig,
  ) {
    const faces = facesOf(watchList);
    this.dim = faces[0]?.vector.length ?? 0;
    this.add(faces);
  }

  get size(): number {
    return this.table.size;
  }

  /** slots whose face was added or removed since the codes were made (each scored in float32 on every query until a rebuild) */
  get staleFaces(): number {
    return this.codes ? this.changed.size : 0;
  }

  /** whether codes are made (the gallery outgrew the candidate list); false: every face is scored */
  get scanning(): boolean {
    return this.codes !== undefined;
  }

  /** resolves when no rebuild of the codes is running */
  async settled(): Promise<void> {
    await this.building;
  }

  add(faces: readonly IndexedFace[]): void {
    this.dim = dimensionWith(this.dim, faces);
    for (const face of faces) {
      // a face enrolled again (same id) replaces the old vector
      this.remove([face.id]);
      const slot = this.table.insert(face);
      this.vectors.set(slot, face.vector);
      this.changed.set(slot, ++this.clock);
    }
  }

  remove(faceIds: readonly string[]): number {
    return removeFaces(this.table, this.vectors, faceIds, (slot) => this.changed.set(slot, ++this.clock));
  }

  async search(query: Float32Array, k: number): Promise<FoundCandidate[]> {
    return (await this.searchMany([query], k))[0] ?? [];
  }

  async searchMany(queries: readonly Float32Array[], k: number): Promise<FoundCandidate[][]> {
    if (this.size === 0 || k <= 0) return queries.map(() => []);
    if (queries.length === 0) return [];
    const q = new Float32Array(queries.length * this.dim);
    queries.forEach((query, i) => {
      if (query.length !== this.dim) throw new RangeError(`query dimension ${query.length}, index dimension ${this.dim}`);
      normalisedInto(query, q, i * this.dim);
    });
    const codes = await this.currentCodes();
    const rows = this.table.slotCount;
    const scoreOf = (i: number) => {
      const query = q.subarray(i * this.dim, (i + 1) * this.dim);
      return (slot: number) => this.vectors.dot(slot, query);
    };
    if (!codes) {
      // a gallery no larger than the candidate list: every face is a candidate
      return queries.map((_, i) => this.table.topDossiers(rows, (r) => r, scoreOf(i), k));
    }
    const want = Math.min(this.params.candidates, codes.scan.rows);
    codes.searching++;
    const found = await codes.scan.top(this.queryCodes(q, queries.length, codes.projection), q, queries.length, want, this.vectors.data).finally(() => this.release(codes));
    // read after the scan: what changed meanwhile is scored here, not taken from codes that predate it
    const stale = [...this.changed.keys()].filter((slot) => this.table.isLive(slot));
    return queries.map((_, i) => {
      const slots: number[] = [];
      const scores: number[] = [];
      for (let c = i * want; c < (i + 1) * want; c++) {
        const slot = found.rows[c]!;
        if (this.changed.has(slot)) continue;
        slots.push(slot);
        scores.push(found.scores[c]!);
      }
      const score = scoreOf(i);
      for (const slot of stale) {
        slots.push(slot);
        scores.push(score(slot));
      }
      return this.bestDossiers(slots, scores, k);
    });
  }

  /**
   * topDossiers over the candidates, looking up only the best-scored ones: the k best dossiers are the first k
   * distinct ones in score order, so the table (two random reads a face, ~1 µs at 1M faces) sees a short prefix.
   */
  private bestDossiers(slots: readonly number[], scores: readonly number[], k: number): FoundCandidate[] {
    const order = Array.from(slots.keys()).sort((a, b) => scores[b]! - scores[a]!);
    let prefix = Math.min(order.length, 4 * k);
    // a face tied with the last one kept stays in, so ties are still ordered by dossier name
    while (prefix < order.length && scores[order[prefix]!] === scores[order[prefix - 1]!]) prefix++;
    const top = (n: number) => this.table.topDossiers(n, (j) => slots[order[j]!]!, (j) => scores[order[j]!]!, k);
    const found = top(prefix);
    // fewer than k dossiers in the prefix (one dossier's many faces): all candidates then
    return found.length < k && prefix < order.length ? top(order.length) : found;
  }

  async close(): Promise<void> {
    await this.building?.catch(() => undefined);
    const codes = this.codes;
    this.codes = undefined;
    if (codes) await this.retire(codes);
  }

  /** Codes replaced (or the index closed): released now, or by the last search still running on them. */
  private async retire(codes: Codes): Promise<void> {
    codes.replaced = true;
    if (codes.searching === 0) await codes.scan.close();
  }

  /** A search on `codes` ended. */
  private async release(codes: Codes): Promise<void> {
    codes.searching--;
    if (codes.replaced && codes.searching === 0) await codes.scan.close();
  }

  /**
   * The codes to scan, made first (and awaited) once the gallery outgrows the candidate list; later rebuilds run in
   * the background while searches use the codes they replace. undefined: score every face.
   */
  private async currentCodes(): Promise<Codes | undefined> {
    if (this.buildError !== undefined) {
      // a background rebuild failed: said once, and the next search tries again
      const error = this.buildError;
      this.buildError = undefined;
      throw error;
    }
    if (!this.codes) {
      if (this.table.size <= this.params.candidates) return undefined;
      await this.rebuild();
      return this.codes;
    }
    if (this.changed.size >= REBUILD_AFTER) void this.rebuild().catch((e: unknown) => (this.buildError = e));
    return this.codes;
  }

  /** New codes from the vectors as they are now; at most one rebuild runs at a time. */
  private rebuild(): Promise<void> {
    this.building ??= this.makeCodes().finally(() => (this.building = undefined));
    return this.building;
  }

  private async makeCodes(): Promise<void> {
    const snapshot = this.clock;
    const rows = this.table.slotCount;
    const old = this.codes?.projection;
    const projection = old && this.table.size < 2 * old.learnedAt ? old : await this.learnProjection();
    const dims = projection.axes.length / this.dim;
    const codes = new Int8Array(dims * rows);
    const project = await createGemmScores(projection.axes, dims, this.dim);
    try {
      for (let from = 0; from < rows; from += CHUNK) {
        const n = Math.min(CHUNK, rows - from);
        // vectors are read afresh after each await: the array is replaced when faces added meanwhile grow it (those are stale)
        const y = await project.scores(this.vectors.data.subarray(from * this.dim, (from + n) * this.dim), n);
        for (let r = 0; r < n; r++) quantise(y, r * dims, dims, projection.scale, (a, v) => (codes[a * rows + from + r] = v));
      }
    } finally {
      await project.close();
    }
    const scan = await createInt8Scan(codes, dims, rows, this.dim, this.params.threads);
    const previous = this.codes;
    this.codes = { scan, projection, snapshot, searching: 0, replaced: false };
    for (const [slot, at] of this.changed) if (at <= snapshot) this.changed.delete(slot);
    if (previous) await this.retire(previous);
  }

  /** Axes of a spread sample of the gallery, and each axis' int8 scale. */
  private async learnProjection(): Promise<Projection> {
    const rows = this.table.slotCount;
    const live = Array.from({ length: rows }, (_, r) => r).filter((r) => this.table.isLive(r));
    const count = Math.min(AXES_SAMPLE, live.length);
    const sample = new Float32Array(count * this.dim);
    for (let i = 0; i < count; i++) {
      const slot = live[Math.floor((i * live.length) / count)]!;
      sample.set(this.vectors.data.subarray(slot * this.dim, (slot + 1) * this.dim), i * this.dim);
    }
    const dims = Math.min(this.params.dims, this.dim);
    const axes = await principalAxes(sample, this.dim, count, dims);
    // RMS of each axis over the sample, after scaling each projection to unit length as codes are
    const project = await createGemmScores(axes, dims, this.dim);
    const y = await project.scores(sample, count).finally(() => project.close());
    const sq = new Float64Array(dims);
    for (let r = 0; r < count; r++) quantise(y, r * dims, dims, null, (a, v) => (sq[a]! += v * v));
    const scale = Float32Array.from(sq, (s) => Math.min(1, 4 * Math.sqrt(s / Math.max(1, count))) || 1);
    return { axes, scale, learnedAt: this.table.size };
  }

  /** Each query projected, scaled by the axes' scales (so code · query ranks as the projections' cosine) and on uint8. */
  private queryCodes(q: Float32Array, m: number, projection: Projection): Uint8Array {
    const { axes, scale } = projection;
    const dims = scale.length;
    const out = new Uint8Array(m * dims);
    const y = new Float32Array(dims);
    for (let i = 0; i < m; i++) {
      let max = 0;
      for (let a = 0; a < dims; a++) {
        let s = 0;
        for (let j = 0; j < this.dim; j++) s += axes[a * this.dim + j]! * q[i * this.dim + j]!;
        y[a] = s * scale[a]!;
        max = Math.max(max, Math.abs(y[a]!));
      }
      const to = max > 0 ? 127 / max : 0;
      for (let a = 0; a < dims; a++) out[i * dims + a] = Math.round(y[a]! * to) + QUERY_ZERO_POINT;
    }
    return out;
  }
}

/**
 * Projection row y[at … at+dims) made unit length (a zero row stays zero) and, with `scale`, mapped onto int8
 * (saturating); each value goes to put(axis, value).
 */
function quantise(y: Float32Array, at: number, dims: number, scale: Float32Array | null, put: (axis: number, value: number) => void): void {
  let norm = 0;
  for (let a = 0; a < dims; a++) norm += y[at + a]! * y[at + a]!;
  const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (let a = 0; a < dims; a++) {
    const v = y[at + a]! * inv;
    put(a, scale ? Math.max(-127, Math.min(127, Math.round((v / scale[a]!) * 127))) : v);
  }
}
