// Every bad input of the command line gets one clear message naming the file and the reason, a non-zero exit
// where the job cannot go on, and never a stack trace. Runs the real `facestream` command.
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corruptCopy, mp4Boxes, truncateCopy } from '../pipelines/ingest/testing/media.ts';
import type { IdentifyOutput } from '../report/identify-schema.ts';
import type { Report } from '../report/schema.ts';
import { DEMO_CLIP, DEMO_WATCHLIST, FACE_PHOTO, REPO, VIDEO } from './paths.ts';

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function facestream(...args: string[]): Promise<Result> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(REPO, 'bin/facestream.js'), ...args], { cwd: REPO, timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

function expectCleanFailure(r: Result, ...mentions: Array<string | RegExp>): void {
  expect(r.code, r.stderr).not.toBe(0);
  expect(r.stderr).not.toMatch(/^\s+at /m); // no stack trace
  expect(r.stderr).not.toMatch(/unexpected error/);
  expect(r.stderr).not.toMatch(/^\[[\w,]+ @ 0x/m); // no raw FFmpeg console lines: one message of ours
  for (const m of mentions) expect(r.stderr).toMatch(m);
}

let dir = '';
const path = (name: string) => join(dir, name);

async function watchlistOf(files: Record<string, string | Buffer>): Promise<string> {
  const wl = await mkdtemp(join(dir, 'wl-'));
  for (const [name, content] of Object.entries(files)) await writeFile(join(wl, name), content);
  return wl;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fs-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('bad video sources', () => {
  it('missing file', async () => {
    const r = await facestream('analyze', path('nope.mp4'), '--no-progress');
    expectCleanFailure(r, /nope\.mp4/, /no such file/);
    expect(r.code).toBe(2);
  });

  it('a file that is not a video', async () => {
    await writeFile(path('notes.mp4'), 'this is not a video\n'.repeat(20));
    expectCleanFailure(await facestream('analyze', path('notes.mp4'), '--no-progress'), /notes\.mp4/, /not a video|not.*video/i);
  });

  it('an unreachable RTSP url', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const r = await facestream('analyze', `rtsp://127.0.0.1:${port}/cam`, '--no-progress');
    expectCleanFailure(r, new RegExp(`127\\.0\\.0\\.1:${port}`), /unreachable|refused|cannot connect/i);
  });

  it('a truncated video: analyses what is there and says how much is missing', async () => {
    await truncateCopy(VIDEO('classroom.mp4'), path('cut.mp4'), 0.5);
    const r = await facestream('analyze', path('cut.mp4'), '--no-progress', '--out', path('cut.json'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/frames missing \(file truncated\)/);
    const report = JSON.parse(await readFile(path('cut.json'), 'utf8')) as Report;
    expect(report.summary.frames).toBeGreaterThan(5);
    expect(report.summary.frames).toBeLessThan(45);
    expect(report.summary.missing_frames + report.summary.corrupt_frames).toBeGreaterThan(0);
  });

  it('corrupt frames mid-video are counted and skipped, not fatal', async () => {
    const clip = VIDEO('classroom.mp4');
    const mdat = (await mp4Boxes(clip)).find((b) => b.type === 'mdat')!;
    await corruptCopy(clip, path('corrupt.mp4'), mdat.offset + Math.floor(mdat.size * 0.43), 4000);
    const r = await facestream('analyze', path('corrupt.mp4'), '--no-progress', '--out', path('corrupt.json'));
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(await readFile(path('corrupt.json'), 'utf8')) as Report;
    expect(report.summary.corrupt_frames).toBeGreaterThan(0);
    expect(report.summary.frames + report.summary.corrupt_frames).toBe(45);
  });
});

describe('bad watch lists', () => {
  it('a missing folder and an empty folder stop the job', async () => {
    expectCleanFailure(await facestream('analyze', DEMO_CLIP, '--watchlist', path('no-such-dir'), '--no-progress'), /no-such-dir/, /no such folder/);
    await mkdir(path('empty'));
    expectCleanFailure(await facestream('analyze', DEMO_CLIP, '--watchlist', path('empty'), '--no-progress'), /empty/);
  });

  it('each unusable photo is named with its reason and skipped; the job goes on with the rest', async () => {
    const blank = await sharp({ create: { width: 400, height: 300, channels: 3, background: { r: 120, g: 160, b: 200 } } }).jpeg().toBuffer();
    const tiny = await sharp(FACE_PHOTO('img1.jpg')).resize(32).jpeg().toBuffer();
    const wl = await watchlistOf({
      'sky.jpg': blank,
      'couple.jpg': await readFile(FACE_PHOTO('couple.jpg')),
      'tiny.jpg': tiny,
      'drawing.svg': '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>',
      'broken.png': Buffer.from('\x89PNG\r\n\x1a\nnot really a png'),
    });
    await copyFile(join(DEMO_WATCHLIST, 'woman-in-grey.jpg'), join(wl, 'woman-in-grey.jpg'));
    const r = await facestream('analyze', DEMO_CLIP, '--watchlist', wl, '--no-progress', '--out', path('partial.json'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/sky\.jpg: no face found/);
    expect(r.stderr).toMatch(/couple\.jpg: \d faces found.*mf_selector/);
    expect(r.stderr).toMatch(/tiny\.jpg: face quality -[\d.]+ is below enrol.minimum_dossier_quality -2/);
    expect(r.stderr).toMatch(/drawing\.svg: .*not accepted/);
    expect(r.stderr).toMatch(/broken\.png: /);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    const report = JSON.parse(await readFile(path('partial.json'), 'utf8')) as Report;
    expect(report.watchlist.dossiers.map((d) => d.name)).toEqual(['woman-in-grey']);
    const reasons = Object.fromEntries(report.watchlist.rejected.map((x) => [x.file.split('/').pop(), x.reason]));
    expect(reasons).toMatchObject({ 'sky.jpg': 'no_face', 'couple.jpg': 'several_faces', 'tiny.jpg': 'low_quality', 'drawing.svg': 'unsupported_format' });
    expect(reasons['broken.png']).toMatch(/unreadable|unsupported_format/);
    expect(report.summary.matched_events).toBeGreaterThan(0);
  });

  it('a watch list where no photo can be enrolled stops the job, listing every reason', async () => {
    const wl = await watchlistOf({ 'group.jpg': await readFile(FACE_PHOTO('selfie-many-people.jpg')) });
    const r = await facestream('analyze', DEMO_CLIP, '--watchlist', wl, '--no-progress');
    expectCleanFailure(r, /no photo could be enrolled/, /group\.jpg: \d+ faces found/);
  });

  it('mf_selector biggest enrols the biggest face of a group photo', async () => {
    const wl = await watchlistOf({ 'couple.jpg': await readFile(FACE_PHOTO('couple.jpg')) });
    const r = await facestream('identify', FACE_PHOTO('couple.jpg'), '--watchlist', wl, '--mf-selector', 'biggest');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as IdentifyOutput;
    expect(out.photos[0]!.faces.filter((f) => f.dossier === 'couple')).toHaveLength(1);
  });
});

describe('bad photos and configuration', () => {
  it('identify reports an unreadable photo, goes on with the others and exits non-zero', async () => {
    await writeFile(path('fake.jpg'), 'not a photo');
    const r = await facestream('identify', path('fake.jpg'), FACE_PHOTO('img1.jpg'), '--watchlist', DEMO_WATCHLIST);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/fake\.jpg: /);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    const out = JSON.parse(r.stdout) as IdentifyOutput;
    expect(out.photos[0]!.error?.code).toBe('unsupported_format');
    expect(out.photos[1]!.faces).toHaveLength(1);
  });

  it('a configuration file with an unknown key is refused before anything runs', async () => {
    await writeFile(path('bad.yaml'), 'track:\n  miss_intervall: 2\n');
    expectCleanFailure(await facestream('analyze', DEMO_CLIP, '--config', path('bad.yaml'), '--no-progress'), /\/track: unknown key "miss_intervall"/);
  });
});
