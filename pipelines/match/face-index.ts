// 1:N search over the watch lists behind one interface: the exact index (exact-index.ts) scans every face, the
// projected index (projected-index.ts) scans short codes of every face and re-scores the best, the HNSW index
// (hnsw-index.ts) walks a graph; the last two for galleries too large to scan in float32 per event. Which one: config
// `match.index` (config.ts), resolved by createFaceIndex below.
import type { MatchCandidate } from '../../schemas/records.ts';
import { AutoFaceIndex } from './auto-index.ts';
import type { MatchIndexConfig } from './config.ts';
import { ExactFaceIndex } from './exact-index.ts';
import type { IndexedFace } from './face-table.ts';
import { HnswFaceIndex } from './hnsw-index.ts';
import { ProjectedFaceIndex } from './projected-index.ts';
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
   * (dot product of L2-normalised vectors). Equal confidences are ordered by dossier name. The projected and
   * HNSW indexes may miss a face the exact one finds (their recall is measured in docs/BENCHMARKS.md).
   */
  search(query: Float32Array, k: number): Promise<FoundCandidate[]>;
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
 * The index `config` asks for. `auto` (auto-index.ts) keeps the exact index below `auto_projected_from` faces
 * (default 100k): it is never wrong, and costs a few ms a query in the stage's batches up to there. From there the
 * projected index answers in a few ms with the exact index's best face for 99.9 % of matched queries even at 1M
 * faces, where the exact scan takes ~50–100 ms a query and the HNSW graph found 92 % (docs/BENCHMARKS.md, "Matcher
 * at scale").
 */
export function createFaceIndex(watchList: WatchList, config: MatchIndexConfig): FaceIndex {
  switch (config.type) {
    case 'auto':
      return new AutoFaceIndex(watchList, config);
    case 'hnsw':
      return new HnswFaceIndex(watchList, config.hnsw);
    case 'projected':
      return new ProjectedFaceIndex(watchList, config.projected);
    case 'exact':
      return new ExactFaceIndex(watchList);
  }
}
