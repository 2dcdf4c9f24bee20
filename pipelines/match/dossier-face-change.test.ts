import { describe, expect, it } from 'vitest';
import type { DossierFace } from '../../schemas/generated/avro-types.ts';
import { float32ToBytes } from '../../schemas/float32-bytes.ts';
import { applyDossierFaceChange } from './dossier-face-change.ts';
import { createExactFaceIndex } from './exact-index.ts';
import { LiveFaceIndex } from './live-index.ts';
import { watchListFromFaces } from './watchlist.ts';

function unit(axis: number, dim = 8): Float32Array {
  const v = new Float32Array(dim);
  v[axis] = 1;
  return v;
}

function record(id: string, dossierId: string, v: Float32Array, over: Partial<DossierFace> = {}): DossierFace {
  return { dossierFaceId: id, dossierId, dossierName: `person ${dossierId}`, watchLists: ['3', '7'], watchListRules: [], modelId: 'm1', vector: float32ToBytes(v), quality: -1, photo: '', updatedAt: 0, ...over };
}

describe('applyDossierFaceChange', () => {
  it('adds, replaces and removes a face by its id', async () => {
    const index = createExactFaceIndex(watchListFromFaces([]));
    expect(applyDossierFaceChange(index, { key: '10', value: record('10', '1', unit(0)) })).toEqual({ kind: 'added' });
    expect(await index.search(unit(0), 1)).toEqual([{ dossier: '1', dossierFace: '10', watchList: '3', confidence: 1 }]);

    // the same face again, now of another dossier (a merge) with another vector: replaced, not doubled
    applyDossierFaceChange(index, { key: '10', value: record('10', '2', unit(1), { watchLists: ['7'] }) });
    expect(index.size).toBe(1);
    expect(await index.search(unit(1), 1)).toEqual([{ dossier: '2', dossierFace: '10', watchList: '7', confidence: 1 }]);

    expect(applyDossierFaceChange(index, { key: '10', value: null })).toEqual({ kind: 'removed', wasIndexed: true });
    expect(index.size).toBe(0);
    expect(applyDossierFaceChange(index, { key: '10', value: null })).toEqual({ kind: 'removed', wasIndexed: false });
  });

  it('keeps faces of other models and dimensions out, dropping an older version of them', async () => {
    const index = createExactFaceIndex(watchListFromFaces([{ id: 'folder/a.jpg', dossier: 'a', watchList: 'folder', vector: unit(2) }]));
    applyDossierFaceChange(index, { key: '11', value: record('11', '1', unit(0)) }, { modelId: 'm1' });
    const other = applyDossierFaceChange(index, { key: '11', value: record('11', '1', unit(0), { modelId: 'm2' }) }, { modelId: 'm1' });
    expect(other.kind).toBe('skipped');
    expect(index.size).toBe(1);
    expect(applyDossierFaceChange(index, { key: '12', value: record('12', '1', unit(0, 4)) }).kind).toBe('skipped');
    // the folder's face is untouched
    expect((await index.search(unit(2), 1))[0]).toMatchObject({ dossier: 'a', dossierFace: 'folder/a.jpg' });
  });
});

describe('LiveFaceIndex', () => {
  it('applies changes that arrive during a search after it, before the next one', async () => {
    const index = new LiveFaceIndex(createExactFaceIndex(watchListFromFaces([{ id: 'a', dossier: 'A', watchList: 'w', vector: unit(0) }])));
    const searching = index.searchMany([unit(0)], 1);
    // while the product runs: A's face goes and B's takes its row
    expect(index.remove(['a'])).toBe(0);
    index.add([{ id: 'b', dossier: 'B', watchList: 'w', vector: unit(1) }]);
    expect((await searching)[0]).toEqual([expect.objectContaining({ dossier: 'A', confidence: 1 })]);
    const after = await index.searchMany([unit(0), unit(1)], 1);
    expect(after[0]).toEqual([expect.objectContaining({ dossier: 'B', confidence: 0 })]);
    expect(after[1]).toEqual([expect.objectContaining({ dossier: 'B', confidence: 1 })]);
    expect(index.size).toBe(1);
    await index.close();
  });
});
