// What every FaceIndex keeps beside its vectors: which dossier, face id and watch list each slot holds, and how
// scored slots become the k best dossiers. Slots are small integers reused after a removal, so the exact index
// can use them as matrix rows and the HNSW index as keys without either growing for ever under enrol/delete churn.
import type { FoundCandidate } from './face-index.ts';
import type { WatchList, WatchListFace } from './watchlist.ts';

/** An enrolled face as add() takes it: the watch-list face and its dossier. */
export type IndexedFace = WatchListFace & { readonly dossier: string };

/** Faces of a watch list, dossier by dossier, in IndexedFace shape. */
export function facesOf(watchList: WatchList): IndexedFace[] {
  return watchList.dossiers.flatMap((d) => d.faces.map((f) => ({ ...f, dossier: d.name })));
}

/**
 * The dimension of an index of `dim`-d vectors (0: none yet, the first face decides) once `faces` are added;
 * a face of another dimension is refused before anything is added.
 */
export function dimensionWith(dim: number, faces: readonly IndexedFace[]): number {
  const d = dim === 0 ? (faces[0]?.vector.length ?? 0) : dim;
  for (const face of faces) {
    if (face.vector.length !== d) throw new RangeError(`face ${face.id} of ${face.dossier}: dimension ${face.vector.length}, expected ${d}`);
  }
  return d;
}

/** `src` scaled to unit length into dst[offset …]; a zero vector stays zero (it then matches nothing). */
export function normalisedInto(src: Float32Array, dst: Float32Array, offset: number): void {
  let norm = 0;
  for (let i = 0; i < src.length; i++) norm += (src[i] as number) * (src[i] as number);
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (let i = 0; i < src.length; i++) dst[offset + i] = (src[i] as number) * scale;
}

/**
 * Unit vectors by slot in one Float32Array (row r = slot r), for the exact scan and the HNSW index's float32
 * re-rank; grows by doubling, so n single adds copy O(n) floats in all. A freed row is zeroed.
 */
export class SlotVectors {
  data = new Float32Array(0);
  /** 0 until the first vector decides it */
  dim = 0;

  /** `vector` scaled to unit length into row `slot` */
  set(slot: number, vector: Float32Array): void {
    this.dim = vector.length;
    if ((slot + 1) * this.dim > this.data.length) {
      const next = new Float32Array(Math.max(slot + 1, 2 * (this.data.length / this.dim), 16) * this.dim);
      next.set(this.data);
      this.data = next;
    }
    normalisedInto(vector, this.data, slot * this.dim);
  }

  clear(slot: number): void {
    this.data.fill(0, slot * this.dim, (slot + 1) * this.dim);
  }

  /** Row `slot` · `q` (q of length dim). */
  dot(slot: number, q: Float32Array): number {
    const dim = this.dim;
    const v = this.data;
    const base = slot * dim;
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
    return s0 + s1 + s2 + s3;
  }
}

/** Frees the slots of `faceIds` in the table and zeroes their vectors; `freed(slot)` for each; returns how many were indexed. */
export function removeFaces(table: FaceTable, vectors: SlotVectors, faceIds: readonly string[], freed?: (slot: number) => void): number {
  let removed = 0;
  for (const id of faceIds) {
    const slot = table.delete(id);
    if (slot === undefined) continue;
    vectors.clear(slot);
    freed?.(slot);
    removed++;
  }
  return removed;
}

export class FaceTable {
  /** slot → dossier number, −1 for a free slot */
  private dossierOf: number[] = [];
  private faceIds: string[] = [];
  private lists: string[] = [];
  private readonly slotOfFace = new Map<string, number>();
  private readonly free: number[] = [];
  /** dossier number → name; numbers are never reused, so a name keeps its number while faces come and go */
  private readonly names: string[] = [];
  private readonly dossierNo = new Map<string, number>();
  /** per dossier: best score and slot of the query being ranked, reused between queries (reset via `touched`) */
  private bestScore = new Float64Array(0);
  private bestSlot = new Int32Array(0);
  private touched = new Int32Array(0);

  /** faces held */
  get size(): number {
    return this.slotOfFace.size;
  }

  /** one past the highest slot ever used: the rows a matrix over slots needs */
  get slotCount(): number {
    return this.dossierOf.length;
  }

  slotOf(faceId: string): number | undefined {
    return this.slotOfFace.get(faceId);
  }

  isLive(slot: number): boolean {
    return (this.dossierOf[slot] ?? -1) >= 0;
  }

  /** A slot for a new face (the caller has removed any face of the same id first). */
  insert(face: IndexedFace): number {
    if (this.slotOfFace.has(face.id)) throw new Error(`face ${face.id} is already indexed`);
    let d = this.dossierNo.get(face.dossier);
    if (d === undefined) {
      d = this.names.length;
      this.names.push(face.dossier);
      this.dossierNo.set(face.dossier, d);
    }
    const slot = this.free.pop() ?? this.dossierOf.length;
    this.dossierOf[slot] = d;
    this.faceIds[slot] = face.id;
    this.lists[slot] = face.watchList;
    this.slotOfFace.set(face.id, slot);
    return slot;
  }

  /** Frees the face's slot and returns it, or undefined when the face is not indexed. */
  delete(faceId: string): number | undefined {
    const slot = this.slotOfFace.get(faceId);
    if (slot === undefined) return undefined;
    this.slotOfFace.delete(faceId);
    this.dossierOf[slot] = -1;
    this.faceIds[slot] = '';
    this.lists[slot] = '';
    this.free.push(slot);
    return slot;
  }

  /** What a slot holds, without its vector (for saving an index); null for a free slot. */
  faceAt(slot: number): Omit<IndexedFace, 'vector'> | null {
    const d = this.dossierOf[slot] ?? -1;
    return d < 0 ? null : { id: this.faceIds[slot] as string, dossier: this.names[d] as string, watchList: this.lists[slot] as string };
  }

  /** Puts a saved slot back as it was (slots restored in order, from 0): the saved graph's keys are these slots. */
  restore(slot: number, face: Omit<IndexedFace, 'vector'> | null): void {
    if (slot !== this.dossierOf.length) throw new Error(`slot ${slot} restored out of order`);
    if (face === null) {
      this.dossierOf.push(-1);
      this.faceIds.push('');
      this.lists.push('');
      this.free.push(slot);
      return;
    }
    this.free.push(slot);
    this.insert({ ...face, vector: new Float32Array(0) });
  }

  /**
   * The `k` best dossiers among `n` scored slots (slotAt(i), scoreAt(i)), each by its best face, best first;
   * equal confidences ordered by dossier name. Free slots are skipped.
   */
  topDossiers(n: number, slotAt: (i: number) => number, scoreAt: (i: number) => number, k: number): FoundCandidate[] {
    if (this.bestScore.length < this.names.length) {
      this.bestScore = new Float64Array(this.names.length * 2);
      this.bestSlot = new Int32Array(this.names.length * 2);
      this.touched = new Int32Array(this.names.length * 2);
      this.bestScore.fill(-Infinity);
    }
    // the dossiers this call scores, in a buffer kept between calls (this runs per query: no allocation)
    let touched = 0;
    for (let i = 0; i < n; i++) {
      const slot = slotAt(i);
      const d = this.dossierOf[slot] ?? -1;
      if (d < 0) continue;
      const s = scoreAt(i);
      if (this.bestScore[d] === -Infinity) this.touched[touched++] = d;
      if (s > (this.bestScore[d] as number)) {
        this.bestScore[d] = s;
        this.bestSlot[d] = slot;
      }
    }
    // Top-k kept sorted best first (dossier numbers); ties by name, so the order never depends on insertion order.
    const top: number[] = [];
    for (let t = 0; t < touched; t++) {
      const d = this.touched[t] as number;
      if (top.length === k && !this.ranksBefore(d, top[k - 1] as number)) continue;
      // insertion: shift the worse ones down one place (splice would allocate its answer per call)
      let at = top.length;
      top.push(d);
      while (at > 0 && this.ranksBefore(d, top[at - 1] as number)) {
        top[at] = top[at - 1] as number;
        at--;
      }
      top[at] = d;
      if (top.length > k) top.pop();
    }
    const out = top.map((d) => {
      const slot = this.bestSlot[d] as number;
      return { dossier: this.names[d] as string, dossierFace: this.faceIds[slot] as string, watchList: this.lists[slot] as string, confidence: this.bestScore[d] as number };
    });
    for (let t = 0; t < touched; t++) this.bestScore[this.touched[t] as number] = -Infinity;
    return out;
  }

  /** Whether dossier `a` ranks before `b` in the scores of the current topDossiers call. */
  private ranksBefore(a: number, b: number): boolean {
    const sa = this.bestScore[a] as number;
    const sb = this.bestScore[b] as number;
    return sa > sb || (sa === sb && (this.names[a] as string) < (this.names[b] as string));
  }
}
