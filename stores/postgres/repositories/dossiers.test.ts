import { expect, it } from 'vitest';
import { UNMATCHED_WATCH_LIST_ID } from '../rows.ts';
import { describeEachBackend } from '../testing/backends.ts';
import { createCameraGroup, deleteCameraGroup } from './camera-groups.ts';
import {
  createDossierFace,
  deleteDossierFace,
  getDossierFace,
  listDossierFaces,
  listMatchableFaces,
  updateDossierFace,
} from './dossier-faces.ts';
import { createDossier, deleteDossier, getDossier, listDossiers, updateDossier } from './dossiers.ts';
import { createWatchList, deleteWatchList, getWatchList, listWatchLists, purgeWatchList, updateWatchList } from './watch-lists.ts';

function vector(seed: number, n = 512): Float32Array {
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = Math.sin(seed * 31 + i) / 7;
  return v;
}
const BOX = { left: 10, top: 20, right: 110, bottom: 140 };

describeEachBackend('watch lists, dossiers and dossier faces', (ctx) => {
  it('has the built-in unmatched list (-1), which can be changed but not deleted', async () => {
    const unmatched = await getWatchList(ctx.db, UNMATCHED_WATCH_LIST_ID);
    expect(unmatched).toMatchObject({ name: 'Unmatched', builtin: true, camera_group_ids: [] });
    expect(await updateWatchList(ctx.db, UNMATCHED_WATCH_LIST_ID, { notify: true, color: 'ff0000' })).toMatchObject({ notify: true, color: 'ff0000' });
    await expect(deleteWatchList(ctx.db, UNMATCHED_WATCH_LIST_ID)).rejects.toMatchObject({ kind: 'restrict' });
    expect((await listWatchLists(ctx.db))[0]!.id).toBe(UNMATCHED_WATCH_LIST_ID);
  });

  it('creates, changes and deletes a watch list with its camera groups', async () => {
    const north = await createCameraGroup(ctx.db, { name: 'wl-north' });
    const south = await createCameraGroup(ctx.db, { name: 'wl-south' });
    const wl = await createWatchList(ctx.db, { name: 'VIP', color: '00ff88', acknowledge: true, notify: true, confidence_threshold: 0.8, camera_group_ids: [south.id, north.id, north.id] });
    expect(wl).toMatchObject({ name: 'VIP', color: '00ff88', acknowledge: true, notify: true, active: true, builtin: false, camera_group_ids: [north.id, south.id] });
    expect(await getWatchList(ctx.db, wl.id)).toEqual(wl);

    const everywhere = await createWatchList(ctx.db, { name: 'Everywhere' });
    const onSouth = (await listWatchLists(ctx.db, { camera_group_id: south.id })).map((w) => w.name);
    expect(onSouth).toEqual(expect.arrayContaining(['VIP', 'Everywhere']));
    const other = await createCameraGroup(ctx.db, { name: 'wl-other' });
    expect((await listWatchLists(ctx.db, { camera_group_id: other.id })).map((w) => w.name)).not.toContain('VIP');

    const moved = await updateWatchList(ctx.db, wl.id, { camera_group_ids: [south.id] });
    expect(moved!.camera_group_ids).toEqual([south.id]);
    expect(moved!.modified_date.getTime()).toBeGreaterThanOrEqual(wl.modified_date.getTime());
    expect(await updateWatchList(ctx.db, wl.id, { active: false })).toMatchObject({ active: false, camera_group_ids: [south.id] });
    // deleting a camera group takes it off the lists
    expect(await deleteCameraGroup(ctx.db, south.id)).toBe(true);
    expect((await getWatchList(ctx.db, wl.id))!.camera_group_ids).toEqual([]);

    await expect(createWatchList(ctx.db, { name: 'VIP' })).rejects.toMatchObject({ kind: 'unique' });
    await expect(createWatchList(ctx.db, { name: 'Bad colour', color: '#fff' })).rejects.toMatchObject({ kind: 'check' });
    await expect(createWatchList(ctx.db, { name: 'No group', camera_group_ids: [987_654] })).rejects.toMatchObject({ kind: 'foreign_key' });
    expect((await listWatchLists(ctx.db)).map((w) => w.name)).not.toContain('No group'); // the whole create was undone
    expect(await updateWatchList(ctx.db, 987_654, { name: 'x' })).toBeUndefined();
    expect(await deleteWatchList(ctx.db, everywhere.id)).toBe(true);
  });

  it('creates, finds, changes and deletes a dossier on watch lists', async () => {
    const a = await createWatchList(ctx.db, { name: 'd-A' });
    const b = await createWatchList(ctx.db, { name: 'd-B' });
    const d = await createDossier(ctx.db, { name: 'Jane 100%_Doe', comment: 'seen at gate', meta: { badge: 'X-1', tags: ['a'] }, watch_list_ids: [b.id, a.id] });
    expect(d).toMatchObject({ name: 'Jane 100%_Doe', active: true, meta: { badge: 'X-1', tags: ['a'] }, watch_list_ids: [a.id, b.id], created_by: null });
    expect(await getDossier(ctx.db, d.id)).toEqual(d);
    const twin = await createDossier(ctx.db, { name: 'Jane 100%_Doe' }); // names need not be unique

    // name_contains: case-insensitive, % and _ literal
    expect((await listDossiers(ctx.db, { name_contains: 'jane 100%_' })).map((x) => x.id)).toEqual([d.id, twin.id]);
    expect(await listDossiers(ctx.db, { name_contains: 'jane 100%x' })).toEqual([]);
    expect((await listDossiers(ctx.db, { watch_list_id: a.id })).map((x) => x.id)).toEqual([d.id]);

    const changed = await updateDossier(ctx.db, d.id, { watch_list_ids: [b.id], meta: {}, active: false });
    expect(changed).toMatchObject({ watch_list_ids: [b.id], meta: {}, active: false });
    expect(await listDossiers(ctx.db, { watch_list_id: a.id })).toEqual([]);
    await expect(updateDossier(ctx.db, d.id, { watch_list_ids: [UNMATCHED_WATCH_LIST_ID] })).rejects.toMatchObject({ kind: 'check' });
    expect((await getDossier(ctx.db, d.id))!.watch_list_ids).toEqual([b.id]); // unchanged after the refused update

    // deleting a list leaves its dossiers
    expect(await deleteWatchList(ctx.db, b.id)).toBe(true);
    expect((await getDossier(ctx.db, d.id))!.watch_list_ids).toEqual([]);
    expect(await deleteDossier(ctx.db, twin.id)).toBe(true);
    expect(await getDossier(ctx.db, twin.id)).toBeUndefined();
  });

  it('keeps a face embedding bit for bit, and deletes faces with their dossier', async () => {
    const d = await createDossier(ctx.db, { name: 'face-owner' });
    const embedding = vector(1);
    embedding[0] = -0;
    embedding[1] = 1e-38;
    const face = await createDossierFace(ctx.db, {
      dossier_id: d.id,
      model_id: 'faceplugin-512',
      embedding,
      quality: -1.25,
      bbox: BOX,
      source_photo: 'dossiers/1/a.jpg',
      source_photo_name: 'a.jpg',
      create_from: 'event:4267625862518432158',
    });
    expect(face).toMatchObject({ dossier_id: d.id, model_id: 'faceplugin-512', quality: -1.25, bbox: BOX, thumbnail: null, source_photo_name: 'a.jpg' });
    expect(face.embedding).toBeInstanceOf(Float32Array);
    expect(Buffer.from(face.embedding.buffer).equals(Buffer.from(embedding.buffer))).toBe(true);
    expect(await getDossierFace(ctx.db, face.id)).toEqual(face);

    const second = await createDossierFace(ctx.db, { dossier_id: d.id, model_id: 'faceplugin-512', embedding: vector(2), quality: -2, bbox: BOX });
    expect((await listDossierFaces(ctx.db, { dossier_id: d.id })).map((f) => f.id)).toEqual([face.id, second.id]);
    expect(await listDossiers(ctx.db, { name_contains: 'face-owner', has_faces: true })).toHaveLength(1);
    expect(await updateDossierFace(ctx.db, face.id, { thumbnail: 'thumbs/1.jpg' })).toMatchObject({ thumbnail: 'thumbs/1.jpg' });
    expect(await deleteDossierFace(ctx.db, second.id)).toBe(true);

    await expect(createDossierFace(ctx.db, { dossier_id: 987_654, model_id: 'm', embedding: vector(3), quality: 0, bbox: BOX })).rejects.toMatchObject({ kind: 'foreign_key' });
    await expect(createDossierFace(ctx.db, { dossier_id: d.id, model_id: 'm', embedding: vector(3), quality: 0, bbox: { ...BOX, right: 0 } })).rejects.toMatchObject({ kind: 'check' });
    await expect(createDossierFace(ctx.db, { dossier_id: d.id, model_id: 'm', embedding: vector(3), quality: 2, bbox: BOX })).rejects.toMatchObject({ kind: 'check' });

    expect(await deleteDossier(ctx.db, d.id)).toBe(true);
    expect(await getDossierFace(ctx.db, face.id)).toBeUndefined();
  });

  it('gives a matcher the faces of its model on active dossiers and active lists, a page at a time', async () => {
    const on = await createWatchList(ctx.db, { name: 'm-on' });
    const off = await createWatchList(ctx.db, { name: 'm-off', active: false });
    const listed = await createDossier(ctx.db, { name: 'm-listed', watch_list_ids: [on.id, off.id] });
    const inactive = await createDossier(ctx.db, { name: 'm-inactive', active: false, watch_list_ids: [on.id] });
    const onlyOff = await createDossier(ctx.db, { name: 'm-only-off', watch_list_ids: [off.id] });
    const make = (dossier_id: number, model_id: string, seed: number) =>
      createDossierFace(ctx.db, { dossier_id, model_id, embedding: vector(seed, 4), quality: -1, bbox: BOX });
    const f1 = await make(listed.id, 'model-m', 1);
    const f2 = await make(listed.id, 'model-m', 2);
    await make(listed.id, 'other-model', 3);
    await make(inactive.id, 'model-m', 4);
    await make(onlyOff.id, 'model-m', 5);

    const all = await listMatchableFaces(ctx.db, 'model-m');
    expect(all.map((f) => [f.id, f.dossier_id, f.watch_list_ids])).toEqual([
      [f1.id, listed.id, [on.id]],
      [f2.id, listed.id, [on.id]],
    ]);
    expect(all[1]!.embedding).toEqual(vector(2, 4));
    const page1 = await listMatchableFaces(ctx.db, 'model-m', { limit: 1 });
    const page2 = await listMatchableFaces(ctx.db, 'model-m', { limit: 1, after_id: page1[0]!.id });
    expect([...page1, ...page2].map((f) => f.id)).toEqual([f1.id, f2.id]);
  });

  it('purges a watch list: its dossiers and their faces go, other lists stay', async () => {
    const wl = await createWatchList(ctx.db, { name: 'p-list' });
    const keep = await createWatchList(ctx.db, { name: 'p-keep' });
    const d1 = await createDossier(ctx.db, { name: 'p1', watch_list_ids: [wl.id] });
    const d2 = await createDossier(ctx.db, { name: 'p2', watch_list_ids: [wl.id, keep.id] });
    const d3 = await createDossier(ctx.db, { name: 'p3', watch_list_ids: [keep.id] });
    const f = await createDossierFace(ctx.db, { dossier_id: d1.id, model_id: 'm', embedding: vector(9, 4), quality: 0, bbox: BOX });
    expect(await purgeWatchList(ctx.db, wl.id)).toBe(2);
    expect(await getDossier(ctx.db, d1.id)).toBeUndefined();
    expect(await getDossier(ctx.db, d2.id)).toBeUndefined();
    expect(await getDossier(ctx.db, d3.id)).toBeDefined();
    expect(await getDossierFace(ctx.db, f.id)).toBeUndefined();
    expect(await getWatchList(ctx.db, wl.id)).toBeDefined();
  });
});
