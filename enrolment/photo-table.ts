// What a bulk import enrols: the photos of a watch-list folder (watchlist-folder.ts: a sub-folder per dossier, a loose
// photo per one-photo dossier) or of a TSV table (FindFace's uploader reads one too), as one list of photos, each
// with its dossier and the name it is stored under (its path relative to the folder or the table), so a re-run can
// tell what is already enrolled.
import { readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { listWatchlistFolder, WatchlistError } from './watchlist-folder.ts';

export interface ImportPhoto {
  /** the dossier's name */
  readonly dossier: string;
  /** the dossier's comment (TSV only), used when the dossier is created */
  readonly comment?: string;
  /** absolute path */
  readonly file: string;
  /** path relative to the folder or the table, '/'-separated: the dossier face's source_photo_name */
  readonly photo: string;
}

/** The column names a TSV may start with (a header line is optional). */
export const TSV_COLUMNS = ['name', 'photo', 'comment'] as const;

const slashed = (path: string) => path.split('\\').join('/');

/**
 * Parses a TSV table: one photo a line, `name<TAB>photo[<TAB>comment]`, the photo path relative to the table's folder.
 * Blank lines and lines starting with `#` are skipped, and so is a first line naming the columns. Several lines of one
 * name are one dossier with several photos. A line without a name or a photo is an error naming its line number.
 */
export function parsePhotoTable(text: string, tableDir: string, tableName = 'table'): ImportPhoto[] {
  const photos: ImportPhoto[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    if (line.trim() === '' || line.startsWith('#')) return;
    const cells = line.split('\t').map((c) => c.trim());
    if (i === 0 && cells[0]?.toLowerCase() === TSV_COLUMNS[0] && cells[1]?.toLowerCase() === TSV_COLUMNS[1]) return;
    const [name = '', photo = '', comment = ''] = cells;
    if (name === '' || photo === '') throw new WatchlistError(`${tableName} line ${i + 1}: expected name<TAB>photo[<TAB>comment]`);
    const file = resolve(tableDir, photo);
    photos.push({ dossier: name, ...(comment !== '' ? { comment } : {}), file, photo: isAbsolute(photo) ? slashed(relative(tableDir, file)) : slashed(photo) });
  });
  return photos;
}

/** The photos of a watch-list folder or of a `.tsv` table. Throws WatchlistError when the source is unusable or empty. */
export async function listImportPhotos(source: string): Promise<ImportPhoto[]> {
  const isTable = await stat(source).then(
    (s) => s.isFile(),
    () => false,
  );
  let photos: ImportPhoto[];
  if (isTable) {
    photos = parsePhotoTable(await readFile(source, 'utf8'), dirname(resolve(source)), source);
  } else {
    const root = resolve(source);
    photos = (await listWatchlistFolder(source)).flatMap((d) => d.photos.map((file) => ({ dossier: d.name, file, photo: slashed(relative(root, file)) })));
  }
  if (photos.length === 0) throw new WatchlistError(`${source}: no photo to import`);
  return photos;
}
