// The TSV table of `facestream import`: columns, header, comments, paths relative to the table, errors by line.
import { describe, expect, it } from 'vitest';
import { WatchlistError } from './watchlist-folder.ts';
import { parsePhotoTable } from './photo-table.ts';

describe('parsePhotoTable', () => {
  it('reads name, photo and an optional comment; skips the header, blank and # lines', () => {
    const text = 'Name\tPhoto\tComment\n# people of the lobby\nAnn\tann/1.jpg\tfront desk\r\n\nAnn\tann/2.jpg\nBo\t/data/other/bo.jpg\n';
    expect(parsePhotoTable(text, '/data/import')).toEqual([
      { dossier: 'Ann', comment: 'front desk', file: '/data/import/ann/1.jpg', photo: 'ann/1.jpg' },
      { dossier: 'Ann', file: '/data/import/ann/2.jpg', photo: 'ann/2.jpg' },
      // an absolute path is named relative to the table too, so a re-run from elsewhere finds it
      { dossier: 'Bo', file: '/data/other/bo.jpg', photo: '../other/bo.jpg' },
    ]);
  });

  it('a line without a photo is an error naming the table and the line', () => {
    expect(() => parsePhotoTable('Ann\tann.jpg\nBo\n', '/d', 'people.tsv')).toThrow(WatchlistError);
    expect(() => parsePhotoTable('Ann\tann.jpg\nBo\n', '/d', 'people.tsv')).toThrow(/people\.tsv line 2: expected name<TAB>photo/);
  });
});
