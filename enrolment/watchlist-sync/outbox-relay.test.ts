// The outbox and its relay on both engines (a real PostgreSQL server and PGlite), publishing in process: every kind
// of change that alters what a matcher holds reaches a subscriber's index, woken by NOTIFY (the poll is set to a
// minute, so only a notification can deliver within the test), and rows committed while no relay ran are published
// by the next one. A publish that hangs (a broker away) does not stall the database's other queries.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { pino } from 'pino';
import { createExactFaceIndex, watchListFromFaces, WatchListRules, type FaceIndex } from '../../pipelines/match/index.ts';
import { createCameraGroup, deleteCameraGroup } from '../../stores/postgres/repositories/camera-groups.ts';
import { createDossierFace, deleteDossierFace } from '../../stores/postgres/repositories/dossier-faces.ts';
import { outboxLength } from '../../stores/postgres/repositories/dossier-face-outbox.ts';
import { createDossier, deleteDossier, updateDossier } from '../../stores/postgres/repositories/dossiers.ts';
import { createWatchList, deleteWatchList, updateWatchList } from '../../stores/postgres/repositories/watch-lists.ts';
import { describeEachBackend } from '../../stores/postgres/testing/backends.ts';
import { createInProcessDossierPublisher, type InProcessDossierPublisher } from './inproc-publisher.ts';
import { syncIndexInProcess } from './matcher-sync.ts';
import { DOSSIER_FACE_OUTBOX, startOutboxRelay, startRelay, type OutboxRelay } from './outbox-relay.ts';

const logger = pino({ level: 'silent' });
const BOX = { left: 10, top: 20, right: 110, bottom: 140 };

function vector(seed: number, n = 64): Float32Array {
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = Math.sin(seed * 31 + i);
  return v;
}

describeEachBackend('dossier-face outbox and relay', (ctx) => {
  let hub: InProcessDossierPublisher;
  let relay: OutboxRelay | undefined;
  let index: FaceIndex;
  let rules: WatchListRules;
  const start = async () => {
    relay = await startOutboxRelay({ db: ctx.db, publisher: hub, logger, pollMs: 60_000 });
  };
  /** the dossier the index finds for `v`, as the match stage would name it */
  const found = async (v: Float32Array) => (await index.search(v, 1))[0]?.dossier;

  beforeAll(async () => {
    hub = createInProcessDossierPublisher();
    index = createExactFaceIndex(watchListFromFaces([]));
    rules = new WatchListRules();
    syncIndexInProcess({ relayed: hub, index, rules, modelId: 'm1', logger });
    await start();
  });
  afterAll(async () => {
    await relay?.stop();
    await index.close();
  });

  it('delivers an enrolment and a deletion, woken by NOTIFY', async () => {
    const list = await createWatchList(ctx.db, { name: 'relay-wanted' });
    const anna = await createDossier(ctx.db, { name: 'Anna', watch_list_ids: [list.id] });
    const face = await createDossierFace(ctx.db, { dossier_id: anna.id, model_id: 'm1', embedding: vector(1), quality: -1, bbox: BOX, source_photo: 'anna.jpg' });
    await expect.poll(() => found(vector(1)), { timeout: 10_000 }).toBe(String(anna.id));
    expect((await index.search(vector(1), 1))[0]).toMatchObject({ dossierFace: String(face.id), watchList: String(list.id) });
    await expect.poll(() => outboxLength(ctx.db)).toBe(0);

    await deleteDossierFace(ctx.db, face.id);
    await expect.poll(() => found(vector(1)), { timeout: 10_000 }).toBeUndefined();
  });

  it('drops the faces of a deactivated dossier or watch list and brings them back on reactivation', async () => {
    const list = await createWatchList(ctx.db, { name: 'relay-toggle' });
    const boris = await createDossier(ctx.db, { name: 'Boris', watch_list_ids: [list.id] });
    await createDossierFace(ctx.db, { dossier_id: boris.id, model_id: 'm1', embedding: vector(2), quality: -1, bbox: BOX });
    await expect.poll(() => found(vector(2)), { timeout: 10_000 }).toBe(String(boris.id));

    await updateDossier(ctx.db, boris.id, { active: false });
    await expect.poll(() => found(vector(2)), { timeout: 10_000 }).toBeUndefined();
    await updateDossier(ctx.db, boris.id, { active: true });
    await expect.poll(() => found(vector(2)), { timeout: 10_000 }).toBe(String(boris.id));

    await updateWatchList(ctx.db, list.id, { active: false });
    await expect.poll(() => found(vector(2)), { timeout: 10_000 }).toBeUndefined();
    await updateWatchList(ctx.db, list.id, { active: true });
    await expect.poll(() => found(vector(2)), { timeout: 10_000 }).toBe(String(boris.id));

    // taken off its only list, then the list deleted while it is back on it
    await updateDossier(ctx.db, boris.id, { watch_list_ids: [] });
    await expect.poll(() => found(vector(2)), { timeout: 10_000 }).toBeUndefined();
    await updateDossier(ctx.db, boris.id, { watch_list_ids: [list.id] });
    await expect.poll(() => found(vector(2)), { timeout: 10_000 }).toBe(String(boris.id));
    await deleteWatchList(ctx.db, list.id);
    await expect.poll(() => found(vector(2)), { timeout: 10_000 }).toBeUndefined();
  });

  it('follows a merge (faces move to the surviving dossier) and a dossier deletion', async () => {
    const list = await createWatchList(ctx.db, { name: 'relay-merge' });
    const into = await createDossier(ctx.db, { name: 'Clara', watch_list_ids: [list.id] });
    const from = await createDossier(ctx.db, { name: 'Clara (2)', watch_list_ids: [list.id] });
    await createDossierFace(ctx.db, { dossier_id: from.id, model_id: 'm1', embedding: vector(3), quality: -1, bbox: BOX });
    // another embedder's face never reaches this matcher
    await createDossierFace(ctx.db, { dossier_id: into.id, model_id: 'm2', embedding: vector(4), quality: -1, bbox: BOX });
    await expect.poll(() => found(vector(3)), { timeout: 10_000 }).toBe(String(from.id));
    expect(await found(vector(4))).not.toBe(String(into.id));

    // what a merge does, whoever runs it: the faces move by a plain update, the other dossier goes
    await ctx.db.transaction(async (tx) => {
      await tx.query('UPDATE dossier_faces SET dossier_id = $1 WHERE dossier_id = $2', [into.id, from.id]);
      await deleteDossier(tx, from.id);
    });
    await expect.poll(() => found(vector(3)), { timeout: 10_000 }).toBe(String(into.id));
    await deleteDossier(ctx.db, into.id);
    await expect.poll(() => found(vector(3)), { timeout: 10_000 }).toBeUndefined();
  });

  it("republishes a list's faces when its threshold or camera groups change, with every list of the dossier", async () => {
    const staff = await createWatchList(ctx.db, { name: 'relay-staff' });
    const vip = await createWatchList(ctx.db, { name: 'relay-vip', confidence_threshold: 0.7 });
    const fay = await createDossier(ctx.db, { name: 'Fay', watch_list_ids: [vip.id, staff.id] });
    const face = await createDossierFace(ctx.db, { dossier_id: fay.id, model_id: 'm1', embedding: vector(7), quality: -1, bbox: BOX });
    /** the rules the match stage would apply to Fay's face, by list id */
    const rulesOfFay = () => rules.of({ dossier: String(fay.id), dossierFace: String(face.id), watchList: String(staff.id), confidence: 1 });
    const rule = (id: number, confidenceThreshold: number | null, cameraGroups: number[] = []) => ({ id: String(id), confidenceThreshold, cameraGroups: cameraGroups.map(String) });
    await expect.poll(rulesOfFay, { timeout: 10_000 }).toEqual([rule(staff.id, null), rule(vip.id, 0.7)]);

    await updateWatchList(ctx.db, staff.id, { confidence_threshold: 0.8 });
    await expect.poll(rulesOfFay, { timeout: 10_000 }).toEqual([rule(staff.id, 0.8), rule(vip.id, 0.7)]);
    const lobby = await createCameraGroup(ctx.db, { name: 'relay-lobby' });
    await updateWatchList(ctx.db, vip.id, { camera_group_ids: [lobby.id] });
    await expect.poll(rulesOfFay, { timeout: 10_000 }).toEqual([rule(staff.id, 0.8), rule(vip.id, 0.7, [lobby.id])]);
    // the group deleted: the list applies everywhere again
    await updateWatchList(ctx.db, staff.id, { confidence_threshold: null });
    await deleteCameraGroup(ctx.db, lobby.id);
    await expect.poll(rulesOfFay, { timeout: 10_000 }).toEqual([rule(staff.id, null), rule(vip.id, 0.7)]);
    // the index as the next tests expect it: empty
    await deleteDossier(ctx.db, fay.id);
    await expect.poll(() => found(vector(7)), { timeout: 10_000 }).toBeUndefined();
  });

  it('publishes what was committed while no relay ran (a crash between commit and publish)', async () => {
    await relay!.stop();
    const list = await createWatchList(ctx.db, { name: 'relay-crash' });
    const dora = await createDossier(ctx.db, { name: 'Dora', watch_list_ids: [list.id] });
    await createDossierFace(ctx.db, { dossier_id: dora.id, model_id: 'm1', embedding: vector(5), quality: -1, bbox: BOX });
    await new Promise((r) => setTimeout(r, 300));
    expect(await found(vector(5))).toBeUndefined();
    expect(await outboxLength(ctx.db)).toBeGreaterThan(0);

    await start();
    await expect.poll(() => found(vector(5)), { timeout: 10_000 }).toBe(String(dora.id));
    await expect.poll(() => outboxLength(ctx.db)).toBe(0);
  });

  it('keeps the database answering while a publish hangs (a broker away), and publishes once it returns', async () => {
    await relay!.stop();
    let reopen!: () => void;
    const away = new Promise<void>((resolve) => (reopen = resolve));
    let attempts = 0;
    // the in-process hub behind a publish that waits as a producer does while its broker is down
    const stalled = { target: 'a broker that is away', publish: async (changes: Parameters<typeof hub.publish>[0]) => (attempts++, await away, hub.publish(changes)) };
    relay = await startRelay({ db: ctx.db, outbox: DOSSIER_FACE_OUTBOX, publisher: stalled, logger, pollMs: 60_000 });
    try {
      const list = await createWatchList(ctx.db, { name: 'relay-away' });
      const eve = await createDossier(ctx.db, { name: 'Eve', watch_list_ids: [list.id] });
      await createDossierFace(ctx.db, { dossier_id: eve.id, model_id: 'm1', embedding: vector(6), quality: -1, bbox: BOX });
      await expect.poll(() => attempts, { timeout: 10_000 }).toBeGreaterThan(0);
      // an API request meanwhile: answered, not queued behind the publish
      const answered = await Promise.race([createWatchList(ctx.db, { name: 'relay-away-2' }).then(() => true), new Promise((r) => setTimeout(() => r(false), 5_000))]);
      expect(answered).toBe(true);
      expect(await found(vector(6))).not.toBe(String(eve.id));

      reopen();
      await expect.poll(() => found(vector(6)), { timeout: 10_000 }).toBe(String(eve.id));
      await expect.poll(() => outboxLength(ctx.db)).toBe(0);
    } finally {
      reopen();
      await relay.stop();
      await start();
    }
  });

  it('hands a late subscriber every face held (the in-process counterpart of reading the topic from the start)', async () => {
    const late = createExactFaceIndex(watchListFromFaces([]));
    const unsubscribe = syncIndexInProcess({ relayed: hub, index: late, modelId: 'm1', logger });
    expect((await late.search(vector(5), 1))[0]?.dossier).toBe(await found(vector(5)));
    expect(late.size).toBe(index.size);
    unsubscribe();
    await late.close();
  });
});
