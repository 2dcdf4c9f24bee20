// `facestream import` against a listening API (PostgreSQL 15 and PGlite, chdb, the project's face models): a
// watch-list folder and a TSV table built from shared/data photos, with a non-image, a photo without a face and a
// missing file; the report names each outcome and reason, and a re-run enrols nothing twice.
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { hashPassword } from '../api/auth/password.ts';
import type { FaceService } from '../api/photos/face-service.ts';
import { testApi, testFaces, testUser } from '../api/testing.ts';
import type { FaceModels } from '../models/face-models.types.ts';
import { openTestStore, type TestStore } from '../stores/clickhouse/testing.ts';
import { getRoleByName } from '../stores/postgres/repositories/roles.ts';
import { createUser } from '../stores/postgres/repositories/users.ts';
import { describeEachBackend } from '../stores/postgres/testing/backends.ts';
import { FACE_PHOTO, REPO } from '../test/paths.ts';
import { importPhotos, type ImportReport, type PhotoOutcome } from './import.ts';

const run = promisify(execFile);

let models: FaceModels;
let faces: FaceService;
let store: TestStore;
let dir: string;
let folder: string;
let table: string;

beforeAll(async () => {
  ({ models, faces } = await testFaces());
  store = await openTestStore();
  dir = await mkdtemp(join(tmpdir(), 'facestream-import-'));
  // master.csv: img3/img12 one person, img20 another, img17 a third, img22/img23 a fourth
  const corner = await sharp(FACE_PHOTO('couple.jpg')).extract({ left: 0, top: 0, width: 120, height: 120 }).jpeg().toBuffer();
  folder = join(dir, 'folder');
  await mkdir(join(folder, 'Person A'), { recursive: true });
  await mkdir(join(folder, 'Person B'), { recursive: true });
  await copyFile(FACE_PHOTO('img3.jpg'), join(folder, 'Person A', 'img3.jpg'));
  await copyFile(FACE_PHOTO('img12.jpg'), join(folder, 'Person A', 'img12.jpg'));
  await writeFile(join(folder, 'Person A', 'notes.txt'), 'not a photo\n');
  await copyFile(FACE_PHOTO('img20.jpg'), join(folder, 'Person B', 'img20.jpg'));
  await writeFile(join(folder, 'Person B', 'corner.jpg'), corner);
  await copyFile(FACE_PHOTO('img17.jpg'), join(folder, 'Carol.jpg'));

  await mkdir(join(dir, 'tsv', 'photos'), { recursive: true });
  await copyFile(FACE_PHOTO('img22.jpg'), join(dir, 'tsv', 'photos', 'img22.jpg'));
  await copyFile(FACE_PHOTO('img23.jpg'), join(dir, 'tsv', 'photos', 'img23.jpg'));
  await writeFile(join(dir, 'tsv', 'photos', 'broken.jpg'), 'a text file with a photo name\n');
  await writeFile(join(dir, 'tsv', 'photos', 'corner.jpg'), corner);
  table = join(dir, 'tsv', 'people.tsv');
  await writeFile(
    table,
    ['name\tphoto\tcomment', 'Dora\tphotos/img22.jpg\tfrom the table', 'Dora\tphotos/img23.jpg', '# a comment line', 'Emil\tphotos/broken.jpg', 'Emil\tphotos/corner.jpg', 'Fritz\tphotos/missing.jpg', ''].join('\n'),
  );
}, 120_000);
afterAll(async () => {
  await store?.dispose();
  await models?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const outcomeOf = (r: ImportReport, photo: string): PhotoOutcome | undefined => r.photos.find((p) => p.photo === photo);

describeEachBackend('facestream import', (ctx) => {
  let app: FastifyInstance;
  let api = '';
  let token = '';
  beforeAll(async () => {
    app = await testApi({ db: ctx.db, clickhouse: store.client, faces });
    await app.listen({ host: '127.0.0.1', port: 0 });
    api = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    token = (await testUser(ctx.db, { role: 'admin' })).key;
  });
  afterAll(async () => {
    await app?.close();
  });

  const facesOf = async (name: string): Promise<string[]> => {
    const dossiers = (await app.inject({ method: 'GET', url: `/api/v1/dossiers?name_contains=${encodeURIComponent(name)}` })).json<{ results: { id: number; name: string }[] }>().results;
    const d = dossiers.filter((x) => x.name === name);
    expect(d).toHaveLength(1);
    return (await app.inject({ method: 'GET', url: `/api/v1/dossier-faces?dossier=${d[0]!.id}` })).json<{ results: { source_photo_name: string }[] }>().results.map((f) => f.source_photo_name).sort();
  };

  it('a folder: dossiers created on the watch list, every photo reported with its outcome; a re-run enrols nothing twice', async () => {
    const report = await importPhotos({ source: folder, api, auth: { token }, watchList: 'imported', parallel: 3, progress: false, report: join(dir, `folder-${ctx.kind}.json`) });
    expect(report.summary).toEqual({ photos: 6, dossiers_created: 3, enrolled: 4, already_enrolled: 0, rejected: 2, failed: 0 });
    expect(outcomeOf(report, 'Person A/notes.txt')).toMatchObject({ dossier: 'Person A', outcome: 'rejected', status: 415, reason: 'unsupported_format' });
    expect(outcomeOf(report, 'Person B/corner.jpg')).toMatchObject({ dossier: 'Person B', outcome: 'rejected', status: 422, reason: 'no_face' });
    expect(outcomeOf(report, 'Carol.jpg')).toMatchObject({ dossier: 'Carol', outcome: 'enrolled', face_id: expect.any(Number) });
    // img12 is the same person as img3, already enrolled into the same dossier: no other dossier is warned of
    expect(report.photos.filter((p) => p.duplicates)).toEqual([]);
    expect(JSON.parse(await readFile(join(dir, `folder-${ctx.kind}.json`), 'utf8'))).toEqual(report);
    expect(report.watch_list?.name).toBe('imported');
    const listed = (await app.inject({ method: 'GET', url: `/api/v1/dossiers?watch_list=${report.watch_list!.id}` })).json<{ results: { name: string }[] }>().results;
    expect(listed.map((d) => d.name).sort()).toEqual(['Carol', 'Person A', 'Person B']);
    expect(await facesOf('Person A')).toEqual(['Person A/img12.jpg', 'Person A/img3.jpg']);

    const again = await importPhotos({ source: folder, api, auth: { token }, watchList: 'imported', parallel: 3, progress: false });
    expect(again.summary).toEqual({ photos: 6, dossiers_created: 0, enrolled: 0, already_enrolled: 4, rejected: 2, failed: 0 });
    expect(again.watch_list?.id).toBe(report.watch_list!.id);
    expect(await facesOf('Person A')).toEqual(['Person A/img12.jpg', 'Person A/img3.jpg']);
    expect(await facesOf('Carol')).toEqual(['Carol.jpg']);
  });

  it('a TSV through the command with --user and --password-env: the report, the exit code, a safe re-run', async () => {
    const role = await getRoleByName(ctx.db, 'admin');
    const name = `importer-${ctx.kind}-${process.pid}`;
    await createUser(ctx.db, { name, primary_role_id: role!.id, password_hash: await hashPassword('import-secret-1') });
    const out = join(dir, `tsv-${ctx.kind}.json`);
    const args = ['bin/facestream.js', 'import', table, '--api', api, '--user', name, '--password-env', 'IMPORT_PW', '--watch-list', 'from-tsv', '--report', out, '--no-progress'];
    const cli = await run(process.execPath, args, { cwd: REPO, env: { ...process.env, IMPORT_PW: 'import-secret-1' } }).then(
      () => ({ code: 0, stdout: '', stderr: '' }),
      (err: { code: number; stdout: string; stderr: string }) => err,
    );
    // rejected and failed photos: exit code 1, each named on stderr, the summary on stdout
    expect(cli.code, cli.stderr).toBe(1);
    expect(cli.stdout).toMatch(/5 photos, 2 enrolled, 0 already enrolled, 2 rejected, 1 failed; 3 dossiers created on watch list from-tsv/);
    expect(cli.stderr).toMatch(/photos\/corner\.jpg: rejected \(no_face\)/);
    const report = JSON.parse(await readFile(out, 'utf8')) as ImportReport;
    expect(outcomeOf(report, 'photos/broken.jpg')).toMatchObject({ dossier: 'Emil', outcome: 'rejected', reason: 'unsupported_format' });
    expect(outcomeOf(report, 'photos/missing.jpg')).toMatchObject({ dossier: 'Fritz', outcome: 'failed', status: 0, message: expect.stringMatching(/ENOENT/) });
    const dora = (await app.inject({ method: 'GET', url: '/api/v1/dossiers?name_contains=Dora' })).json<{ results: { comment: string }[] }>().results;
    expect(dora).toMatchObject([{ comment: 'from the table' }]);
    expect(await facesOf('Dora')).toEqual(['photos/img22.jpg', 'photos/img23.jpg']);

    const again = await importPhotos({ source: table, api, auth: { user: name, password: 'import-secret-1' }, watchList: 'from-tsv', parallel: 2, progress: false });
    expect(again.summary).toMatchObject({ enrolled: 0, already_enrolled: 2, dossiers_created: 0 });
    expect(await facesOf('Dora')).toEqual(['photos/img22.jpg', 'photos/img23.jpg']);
  }, 120_000);
});
