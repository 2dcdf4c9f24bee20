// The approximate FaceIndex: an HNSW graph (usearch, prebuilt native binaries; inner product on L2-normalised
// vectors = cosine) for watch lists too large to scan on every event. Keys are the face table's slots, so
// add() and remove() reach the graph at once (usearch marks removed nodes and skips them), no rebuild.
// A search asks the graph for more faces than dossiers wanted, since one dossier may hold several faces. With i8
// vectors the graph's scores are coarse (each coordinate on a few levels), so a float32 copy of every vector
// re-scores the faces the graph returns: confidences as exact as the exact index's, at 4 bytes × dim per face.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import usearch from 'usearch';
import type { FoundCandidate } from './face-index.ts';
import type { HnswConfig } from './config.ts';
import type { FaceIndex } from './face-index.ts';
import { dimensionWith, FaceTable, facesOf, normalisedInto, SlotVectors, type IndexedFace } from './face-table.ts';
import type { WatchList } from './watchlist.ts';

const { Index, MetricKind, ScalarKind } = usearch;
/** faces an i8 graph returns for an exact re-score at least (see search) */
const RERANK_POOL = 32;

export class HnswFaceIndex implements FaceIndex {
  dim: number;
  private readonly table = new FaceTable();
  private graph: InstanceType<typeof Index> | undefined;
  /** i8 graphs: the float32 vectors the graph's candidates are re-scored with */
  private readonly rerank: SlotVectors | undefined;

  constructor(
    watchList: WatchList,
    private readonly params: HnswConfig,
    /** native threads for a bulk add; a single add or search always takes one (a stage process has a core) */
    private readonly buildThreads = 1,
  ) {
    this.rerank = params.quantization === 'i8' ? new SlotVectors() : undefined;
    const faces = facesOf(watchList);
    this.dim = faces[0]?.vector.length ?? 0;
    this.add(faces);
  }

  get size(): number {
    return this.table.size;
  }

  add(faces: readonly IndexedFace[]): void {
    if (faces.length === 0) return;
    this.dim = dimensionWith(this.dim, faces);
    // a face enrolled again (same id) replaces the old vector; the last of duplicates in one call wins
    const latest = new Map(faces.map((f) => [f.id, f]));
    this.remove([...latest.keys()]);
    const keys = new BigUint64Array(latest.size);
    const vectors = new Float32Array(latest.size * this.dim);
    [...latest.values()].forEach((face, i) => {
      const slot = this.table.insert(face);
      keys[i] = BigInt(slot);
      normalisedInto(face.vector, vectors, i * this.dim);
      this.rerank?.set(slot, vectors.subarray(i * this.dim, (i + 1) * this.dim));
    });
    // one native call for the batch: usearch spreads a bulk insert over its threads
    this.graphOf().add(keys, vectors, latest.size > 1 ? this.buildThreads : 1);
  }

  remove(faceIds: readonly string[]): number {
    let removed = 0;
    for (const id of faceIds) {
      const slot = this.table.delete(id);
      if (slot === undefined) continue;
      this.graph?.remove(BigInt(slot));
      this.rerank?.clear(slot);
      removed++;
    }
    return removed;
  }

  async search(query: Float32Array, k: number): Promise<FoundCandidate[]> {
    return this.walk(query, k);
  }

  private walk(query: Float32Array, k: number): FoundCandidate[] {
    if (this.size === 0 || k <= 0 || !this.graph) return [];
    if (query.length !== this.dim) throw new RangeError(`query dimension ${query.length}, index dimension ${this.dim}`);
    const q = new Float32Array(this.dim);
    normalisedInto(query, q, 0);
    // Faces enough for k dossiers: start at 2k (most dossiers hold one or two photos), double while short. An i8
    // graph ranks by coarse scores (~0.003 of a cosine off), so near-equal candidates may come out of order: it is
    // asked for at least RERANK_POOL faces, re-scored exactly, whose cost is nothing beside the graph walk.
    const first = this.rerank ? Math.max(2 * k, RERANK_POOL) : 2 * k;
    for (let faces = Math.min(this.size, first); ; faces = Math.min(this.size, faces * 2)) {
      const { keys, distances } = this.graph.search(q, faces, 1);
      const rerank = this.rerank;
      const score = rerank ? (i: number) => rerank.dot(Number(keys[i]), q) : (i: number) => 1 - (distances[i] as number);
      const found = this.table.topDossiers(keys.length, (i) => Number(keys[i]), score, k);
      if (found.length >= k || faces >= this.size) return found;
    }
  }

  searchMany(queries: readonly Float32Array[], k: number): Promise<FoundCandidate[][]> {
    // A graph search is ~1 ms and runs on this thread; there is no batch product to share as in the exact index.
    return Promise.resolve(queries.map((q) => this.walk(q, k)));
  }

  /** The graph needs no freeing beyond dropping it (usearch has no close). */
  close(): Promise<void> {
    return Promise.resolve();
  }

  /**
   * Writes the graph (usearch's own format) and the face table beside it, so a restart or a re-run of the bench
   * loads in seconds what took minutes to build. Written under temporary names, then renamed.
   */
  save(file: string): void {
    const faces = Array.from({ length: this.table.slotCount }, (_, slot) => this.table.faceAt(slot));
    writeFileSync(`${file}.faces.json.tmp`, JSON.stringify({ dim: this.dim, faces }));
    this.graphOf().save(`${file}.tmp`);
    if (this.rerank) writeFileSync(`${file}.f32.tmp`, this.rerank.data.subarray(0, this.table.slotCount * this.dim));
    renameSync(`${file}.faces.json.tmp`, `${file}.faces.json`);
    if (this.rerank) renameSync(`${file}.f32.tmp`, `${file}.f32`);
    renameSync(`${file}.tmp`, file);
  }

  /** An index saved by save(); `params.ef_search` applies, the graph's own M and ef_construction are kept. */
  static load(file: string, params: HnswConfig): HnswFaceIndex {
    if (!existsSync(file)) throw new Error(`no saved HNSW index at ${file}`);
    const saved = JSON.parse(readFileSync(`${file}.faces.json`, 'utf8')) as { dim: number; faces: (Omit<IndexedFace, 'vector'> | null)[] };
    const index = new HnswFaceIndex({ dossiers: [] }, params);
    index.dim = saved.dim;
    saved.faces.forEach((face, slot) => index.table.restore(slot, face));
    index.graphOf().load(file);
    if (index.rerank) {
      // the saved rows as they are (already unit length): one copy, not a row-by-row add that would grow twice over
      const bytes = readFileSync(`${file}.f32`);
      index.rerank.dim = saved.dim;
      index.rerank.data = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    }
    return index;
  }

  private graphOf(): InstanceType<typeof Index> {
    this.graph ??= new Index({
      dimensions: this.dim,
      metric: MetricKind.IP,
      quantization: { f32: ScalarKind.F32, f16: ScalarKind.F16, i8: ScalarKind.I8 }[this.params.quantization],
      connectivity: this.params.m,
      expansion_add: this.params.ef_construction,
      expansion_search: this.params.ef_search,
      multi: false,
    });
    return this.graph;
  }
}
