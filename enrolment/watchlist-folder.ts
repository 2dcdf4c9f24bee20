// A watch list kept as a folder: every sub-folder is one dossier named after it, holding one or more photos;
// every loose file is a one-photo dossier named after its file stem. Hidden files are ignored.
import { readdir, stat } from 'node:fs/promises';
import { basename, extname, join, relative, resolve } from 'node:path';
import type { EnrolConfig } from '../pipelines/match/config.ts';
import type { FaceModels } from '../models/face-models.types.ts';
import { EnrolmentRejected, enrolPhoto } from './enrol-photo.ts';

export interface DossierPhotos {
  readonly name: string;
  /** absolute paths */
  readonly photos: readonly string[];
}

export interface EnrolledFace {
  readonly dossier: string;
  /** photo path relative to the watch-list folder: the dossier face id */
  readonly photo: string;
  readonly watchList: string;
  readonly vector: Float32Array;
  readonly quality: number;
}

export interface Rejection {
  readonly file: string;
  readonly reason: string;
  readonly message: string;
}

export interface EnrolledWatchlist {
  readonly dir: string;
  readonly name: string;
  readonly dossiers: ReadonlyArray<{ readonly name: string; readonly photos: readonly string[] }>;
  readonly faces: readonly EnrolledFace[];
  readonly rejected: readonly Rejection[];
}

/** The watch list as a whole is unusable (missing, empty, nothing enrolled). */
export class WatchlistError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WatchlistError';
  }
}

const visible = (name: string) => !name.startsWith('.');

/** Lists the dossiers of a watch-list folder (no decoding). Throws WatchlistError when the folder is unusable. */
export async function listWatchlistFolder(dir: string): Promise<DossierPhotos[]> {
  const root = resolve(dir);
  let entries;
  try {
    if (!(await stat(root)).isDirectory()) throw new WatchlistError(`watch list ${dir}: not a folder`);
    entries = await readdir(root, { withFileTypes: true });
  } catch (err) {
    if (err instanceof WatchlistError) throw err;
    throw new WatchlistError(`watch list ${dir}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such folder' : (err as Error).message}`);
  }
  const dossiers: DossierPhotos[] = [];
  for (const entry of entries.filter((e) => visible(e.name)).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(root, entry.name);
    if (entry.isDirectory()) {
      const photos = (await readdir(path, { withFileTypes: true }))
        .filter((e) => e.isFile() && visible(e.name))
        .map((e) => join(path, e.name))
        .sort();
      dossiers.push({ name: entry.name, photos });
    } else if (entry.isFile()) {
      dossiers.push({ name: basename(entry.name, extname(entry.name)), photos: [path] });
    }
  }
  return dossiers;
}

/**
 * Enrols every photo of a watch-list folder. A photo that cannot be enrolled is reported and skipped; an empty
 * folder, or one where no photo could be enrolled, is an error because matching could not go on.
 */
export async function enrolWatchlistFolder(dir: string, models: FaceModels, cfg: EnrolConfig): Promise<EnrolledWatchlist> {
  const root = resolve(dir);
  const listed = await listWatchlistFolder(dir);
  if (listed.every((d) => d.photos.length === 0)) throw new WatchlistError(`watch list ${dir}: empty — add one photo per person, or one sub-folder of photos per person`);
  const faces: EnrolledFace[] = [];
  const rejected: Rejection[] = [];
  const watchList = basename(root);
  for (const dossier of listed) {
    if (dossier.photos.length === 0) rejected.push({ file: relative(process.cwd(), join(root, dossier.name)), reason: 'no_photos', message: `dossier folder ${dossier.name} holds no photo` });
    for (const photo of dossier.photos) {
      try {
        const { face, vector } = await enrolPhoto(models, photo, cfg);
        faces.push({ dossier: dossier.name, photo: relative(root, photo), watchList, vector, quality: face.quality });
      } catch (err) {
        if (!(err instanceof EnrolmentRejected)) throw err;
        rejected.push({ file: err.file, reason: err.code, message: err.message });
      }
    }
  }
  if (faces.length === 0) {
    throw new WatchlistError(`watch list ${dir}: no photo could be enrolled:\n${rejected.map((r) => `  - ${r.message}`).join('\n')}`);
  }
  const byDossier = new Map<string, string[]>();
  for (const f of faces) byDossier.set(f.dossier, [...(byDossier.get(f.dossier) ?? []), f.photo]);
  return {
    dir: root,
    name: watchList,
    dossiers: [...byDossier].map(([name, photos]) => ({ name, photos })),
    faces,
    rejected,
  };
}
