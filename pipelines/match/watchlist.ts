// The watch lists as matching sees them: dossiers (named persons), each with one or more enrolled faces.
// A face belongs to one watch list; a dossier's faces may sit in different lists.

export interface WatchListFace {
  /** dossier face id, e.g. the photo path relative to the watch-list folder */
  readonly id: string;
  readonly watchList: string;
  /** L2-normalised embedding */
  readonly vector: Float32Array;
}

export interface Dossier {
  readonly name: string;
  readonly faces: readonly WatchListFace[];
}

export interface WatchList {
  readonly dossiers: readonly Dossier[];
}

/** Enrolled faces flattened (enrolment's shape) → dossiers, in first-seen order. */
export function watchListFromFaces(faces: ReadonlyArray<WatchListFace & { readonly dossier: string }>): WatchList {
  const byName = new Map<string, WatchListFace[]>();
  for (const f of faces) {
    const list = byName.get(f.dossier) ?? [];
    list.push({ id: f.id, watchList: f.watchList, vector: f.vector });
    byName.set(f.dossier, list);
  }
  return { dossiers: [...byName].map(([name, fs]) => ({ name, faces: fs })) };
}
