// `match.index.type: auto`: the exact index while the watch lists are smaller than `auto_projected_from` faces, the
// projected index once they reach it — also when they grow there by enrolments, as a `serve` matcher's do (it starts
// empty and is filled from the dossiers). The switch builds the projected index from the exact one's faces and then
// drops the exact one; it does not switch back when faces are deleted (a rebuild per crossing would be wasted work).
import type { MatchIndexConfig } from './config.ts';
import { ExactFaceIndex } from './exact-index.ts';
import type { FaceIndex, FoundCandidate } from './face-index.ts';
import type { IndexedFace } from './face-table.ts';
import { ProjectedFaceIndex } from './projected-index.ts';
import type { WatchList } from './watchlist.ts';

export class AutoFaceIndex implements FaceIndex {
  private inner: ExactFaceIndex | ProjectedFaceIndex;
  /** the closing of the exact index dropped at the switch, which close() awaits */
  private retired: Promise<void> = Promise.resolve();

  constructor(
    watchList: WatchList,
    private readonly config: MatchIndexConfig,
  ) {
    // a list already that large is indexed once, not first into the exact index and then copied out of it
    const faces = watchList.dossiers.reduce((n, d) => n + d.faces.length, 0);
    this.inner = faces >= config.auto_projected_from ? new ProjectedFaceIndex(watchList, config.projected) : new ExactFaceIndex(watchList);
  }

  /** the index answering now */
  get current(): FaceIndex {
    return this.inner;
  }

  get dim(): number {
    return this.inner.dim;
  }

  get size(): number {
    return this.inner.size;
  }

  search(query: Float32Array, k: number): Promise<FoundCandidate[]> {
    return this.inner.search(query, k);
  }

  searchMany(queries: readonly Float32Array[], k: number): Promise<FoundCandidate[][]> {
    return this.inner.searchMany(queries, k);
  }

  add(faces: readonly IndexedFace[]): void {
    this.inner.add(faces);
    this.switchIfLarge();
  }

  remove(faceIds: readonly string[]): number {
    return this.inner.remove(faceIds);
  }

  async close(): Promise<void> {
    await this.retired;
    await this.inner.close();
  }

  private switchIfLarge(): void {
    const exact = this.inner;
    if (!(exact instanceof ExactFaceIndex) || exact.size < this.config.auto_projected_from) return;
    const projected = new ProjectedFaceIndex({ dossiers: [] }, this.config.projected);
    projected.add(exact.faces());
    this.inner = projected;
    // no search is running on it: LiveFaceIndex applies enrolments between searches, and onnxruntime runs are synchronous
    this.retired = this.retired.then(() => exact.close());
  }
}
