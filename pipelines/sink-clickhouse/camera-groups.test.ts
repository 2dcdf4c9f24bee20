// The analytics sink's camera → group lookup on PGlite with the real writer on chdb: a camera added after the last
// read has its group written into its first events (FindFace's visibility rule needs it: an event without a group is
// seen by administrators only), and a camera PostgreSQL does not hold is written with none.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openTestStore, rows, type TestStore } from '../../stores/clickhouse/testing.ts';
import { testEvent } from '../../stores/clickhouse/test-events.ts';
import { createAnalyticsWriter } from '../../stores/clickhouse/writer.ts';
import type { Db } from '../../stores/postgres/db.ts';
import { openDatabase } from '../../stores/postgres/open.ts';
import { createCameraGroup } from '../../stores/postgres/repositories/camera-groups.ts';
import { createCamera } from '../../stores/postgres/repositories/cameras.ts';
import { cameraGroupLookup } from './camera-groups.ts';

let db: Db;
let store: TestStore;
beforeAll(async () => {
  ({ db } = await openDatabase({}));
  store = await openTestStore();
});
afterAll(async () => {
  await store?.close();
  await db?.close();
});

it('writes the group of a camera added since the last read into its first events; none for a camera not in PostgreSQL', async () => {
  // no periodic re-read within the test: only a miss can make the lookup read the cameras again
  const lookup = await cameraGroupLookup(db, { refreshEveryMs: 600_000 });
  try {
    const group = await createCameraGroup(db, { name: 'gate' });
    const camera = await createCamera(db, { name: 'gate 1', url: 'rtsp://cameras.example/gate1', camera_group_id: group.id });
    expect(lookup.groupOf(String(camera.id))).toBeUndefined();

    const writer = createAnalyticsWriter({ client: store.client, cameraGroupOf: lookup.resolve });
    const ts = Date.now();
    await writer.writeEvents([testEvent({ id: 'g1', ts, camera: String(camera.id) }), testEvent({ id: 'g2', ts, camera: 'a file given to up --source' })]);
    const written = await rows<{ id: string; camera_group: string }>(store, `SELECT id, camera_group FROM face_events FINAL WHERE id IN ('g1', 'g2') ORDER BY id`);
    expect(written).toEqual([
      { id: 'g1', camera_group: String(group.id) },
      { id: 'g2', camera_group: '' },
    ]);
    // the unknown one is not looked for again on every batch
    await createCamera(db, { name: 'a file given to up --source', url: 'file:///clip.mp4', camera_group_id: group.id });
    expect(await lookup.resolve('a file given to up --source')).toBeUndefined();
  } finally {
    lookup.close();
  }
});
