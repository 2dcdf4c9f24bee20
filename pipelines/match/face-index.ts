// 1:N search over the watch lists behind one interface: the exact index (exact-index.ts) scans every face, the
// HNSW index (hnsw-index.ts) walks a graph for galleries too large to scan per event. Which one: config
// `match.index` (config.ts), resolved by createFaceIndex below.
import type { MatchCandidate } from '../../schemas/records.ts';
import type { MatchIndexConfig } from './config.ts';
import { ExactFaceIndex } from './exact-index.ts';
import type { IndexedFace } from './face-table.ts';
import { HnswFaceIndex } from './hnsw-index.ts';
import type { WatchList } from './watchlist.ts';

/** A dossier as the index finds it, before the rule of its lists (decide.ts) says which of them it matches through. */
export type FoundCandidate = Omit<MatchCandidate, 'watchLists' | 'matchedWatchLists'>;

export interface FaceIndex {
  /** vector dimension; 0 for an empty index */
  readonly dim: number;
  /** faces indexed */
  readonly size: number;
  /**
   * The `k` best dossiers for `query`, each by its most similar face, best first; confidence is the cosine
   * (dot product of L2-normalised vectors). Equal confidences are ordered by dossier name. The HNSW index may
   * miss a face the exact one finds (its recall is measured in docs/BENCHMARKS.md).
   */
  search(query: Float32Array, k: number): FoundCandidate[];
  /**
   * search() for many queries at once (the exact index: one matrix product, gemm-scores.ts): the same
   * candidates, with confidences that may differ from search()'s in the last float32 bits. What the match stage uses.
   */
  searchMany(queries: readonly Float32Array[], k: number): Promise<FoundCandidate[][]>;
  /** Enrols faces, visible to the next search; a face id already indexed is replaced. */
  add(faces: readonly IndexedFace[]): void;
  /** Deletes faces by id, at once; returns how many were indexed. A dossier left without faces is no longer found. */
  remove(faceIds: readonly string[]): number;
  /** Frees the matrix engine, if one was started. */
  close(): Promise<void>;
}

/**
 * The index `config` asks for. `auto` keeps the exact index below `auto_hnsw_from` faces (default 200k), higher
 * than the usual "HNSW from ~20k" because of what was measured here (docs/BENCHMARKS.md, "Matcher at scale"): the
 * exact index is never wrong and at 100k faces costs ~7 ms a query in the stage's batches (~14 ms at 200k), while
 * the graph loses matches unless its search list is long: at 100k faces on the bench's clustered gallery ef_search
 * 128 found the true match for 95 % of the matched queries, 512 (the default) for 99.7 % at a few ms a query.
 * Past a few hundred thousand faces the exact scan (~75 ms a query at 1M) no longer keeps up and the graph is
 * the only option.
 */
export function createFaceIndex(watchList: WatchList, config: MatchIndexConfig): FaceIndex {
  const faces = watchList.dossiers.reduce((n, d) => n + d.faces.length, 0);
  const type = config.type === 'auto' ? (faces >= config.auto_hnsw_from ? 'hnsw' : 'exact') : config.type;
  return type === 'hnsw' ? new HnswFaceIndex(watchList, config.hnsw) : new ExactFaceIndex(watchList);
}
