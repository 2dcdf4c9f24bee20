// A FaceIndex that enrolments change while the match stage searches it. The exact index's searchMany awaits its
// matrix product and then maps scored rows back to faces; a face deleted and another enrolled into the freed row
// in between would be credited with the old face's score. So changes that arrive while a search is in flight wait
// for it, and are applied, in order, before the next search starts.
import type { FoundCandidate } from './face-index.ts';
import type { FaceIndex } from './face-index.ts';
import type { IndexedFace } from './face-table.ts';

type Change = { readonly add: readonly IndexedFace[] } | { readonly remove: readonly string[] };

export class LiveFaceIndex implements FaceIndex {
  private searching = 0;
  private readonly waiting: Change[] = [];

  constructor(private readonly inner: FaceIndex) {}

  get dim(): number {
    return this.inner.dim;
  }

  /** faces indexed, counting changes still waiting for a search to end */
  get size(): number {
    this.settle();
    return this.inner.size;
  }

  async search(query: Float32Array, k: number): Promise<FoundCandidate[]> {
    return (await this.searchMany([query], k))[0] ?? [];
  }

  async searchMany(queries: readonly Float32Array[], k: number): Promise<FoundCandidate[][]> {
    this.settle();
    this.searching++;
    try {
      return await this.inner.searchMany(queries, k);
    } finally {
      this.searching--;
      this.settle();
    }
  }

  add(faces: readonly IndexedFace[]): void {
    this.waiting.push({ add: faces });
    this.settle();
  }

  /** Counts the faces indexed when no search is in flight; while one is, the removal waits and 0 is returned. */
  remove(faceIds: readonly string[]): number {
    if (this.searching === 0 && this.waiting.length === 0) return this.inner.remove(faceIds);
    this.waiting.push({ remove: faceIds });
    return 0;
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private settle(): void {
    if (this.searching > 0) return;
    for (let change = this.waiting.shift(); change !== undefined; change = this.waiting.shift()) {
      if ('add' in change) this.inner.add(change.add);
      else this.inner.remove(change.remove);
    }
  }
}
