// Every kind of bad input ends with the right SourceError code, or — for damage inside a readable file — with
// the frames that survive and a count of what was lost. Media is cut from a shared clip into a temp dir.
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SourceError, type SourceErrorCode } from './errors.ts';
import { readVideo, type DecodedFrame, type DecodeProblem, type ReadSummary } from './video-source.ts';
import { CLASSROOM, corruptCopy, directory, makeTempDir, mp4Boxes, remux, removeDir, textFile, truncateCopy } from './testing/media.ts';

interface Outcome {
  frames: DecodedFrame[];
  summary: ReadSummary;
  problems: DecodeProblem[];
}

async function readAll(url: string): Promise<Outcome> {
  const frames: DecodedFrame[] = [];
  const problems: DecodeProblem[] = [];
  const gen = readVideo(url, { onProblem: (p) => problems.push(p) });
  for (let r = await gen.next(); ; r = await gen.next()) {
    if (r.done) return { frames, summary: r.value, problems };
    frames.push(r.value);
  }
}

async function expectSourceError(url: string, code: SourceErrorCode, mentions: string): Promise<SourceError> {
  const err = await readAll(url).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SourceError);
  const se = err as SourceError;
  expect(se.code).toBe(code);
  expect(se.message).toContain(mentions);
  return se;
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

let dir = '';
beforeAll(async () => {
  dir = await makeTempDir();
});
afterAll(async () => {
  await removeDir(dir);
});

describe('sources that cannot be opened', () => {
  it('missing file → not_found', async () => {
    const path = join(dir, 'nope.mp4');
    const e = await expectSourceError(path, 'not_found', path);
    expect(e.reason).toMatch(/^no such file/);
    expect(e.retryable).toBe(false);
  });

  it('text file named .mp4 → not_video', async () => {
    const path = join(dir, 'notes.mp4');
    await textFile(path);
    await expectSourceError(path, 'not_video', path);
  });

  it('directory → unreadable', async () => {
    const path = join(dir, 'folder.mp4');
    await directory(path);
    const e = await expectSourceError(path, 'unreadable', path);
    expect(e.reason).toContain('directory');
  });

  it('closed port on 127.0.0.1 → unreachable, quickly, credentials not shown', async () => {
    const port = await closedPort();
    const started = Date.now();
    const e = await expectSourceError(`rtsp://admin:secret@127.0.0.1:${port}/cam`, 'unreachable', `127.0.0.1:${port}/cam`);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(e.message).not.toContain('secret');
    expect(e.retryable).toBe(true);
  });
});

describe('truncated files', () => {
  it('the shared clips keep their index (moov) before the data', async () => {
    expect((await mp4Boxes(CLASSROOM)).map((b) => b.type)).toEqual(['ftyp', 'moov', 'free', 'mdat']);
  });

  it('index first: the frames before the cut come out in order, the rest is reported missing', async () => {
    const path = join(dir, 'cut-half.mp4');
    await truncateCopy(CLASSROOM, path, 0.5);
    const { frames, summary, problems } = await readAll(path);
    // Half the bytes hold well under half the frames here: the first, key frame is the largest.
    expect(frames.length).toBeGreaterThan(3);
    expect(frames.length).toBeLessThan(30);
    frames.forEach((f, k) => expect(f.ptsSeconds).toBeCloseTo(k / 15, 6));
    expect(summary.missing).toBeGreaterThan(0);
    // Every frame the index lists is accounted for: decoded, skipped as corrupt (the packet cut in two) or missing.
    expect(summary.decoded + summary.corrupt + summary.missing).toBe(45);
    expect(problems.filter((p) => p.kind === 'truncated')).toHaveLength(1);
    expect(problems[problems.length - 1]!.message).toContain(path);
  });

  it('index last (as a recorder writes it): nothing can be read → unreadable', async () => {
    const whole = join(dir, 'moov-last.mp4');
    await remux(CLASSROOM, whole);
    expect((await mp4Boxes(whole)).map((b) => b.type).at(-1)).toBe('moov');
    expect((await readAll(whole)).frames.length).toBe(45);
    const cut = join(dir, 'moov-last-cut.mp4');
    await truncateCopy(whole, cut, 0.9);
    const e = await expectSourceError(cut, 'unreadable', cut);
    expect(e.reason).toContain('damaged or incomplete');
  });
});

describe('corrupt bytes in the middle', () => {
  it('frames before and after come out; the damaged ones are counted and skipped', async () => {
    const path = join(dir, 'corrupt.mp4');
    const mdat = (await mp4Boxes(CLASSROOM)).find((b) => b.type === 'mdat')!;
    await corruptCopy(CLASSROOM, path, mdat.offset + Math.floor(mdat.size * 0.43), 4000);
    const { frames, summary, problems } = await readAll(path);
    expect(summary.corrupt).toBeGreaterThan(0);
    expect(problems.filter((p) => p.kind === 'corrupt_packet' || p.kind === 'corrupt_frame')).toHaveLength(summary.corrupt);
    expect(summary.decoded + summary.corrupt).toBe(45);
    const pts = frames.map((f) => Math.round(f.ptsSeconds * 15));
    expect(pts.slice(0, 3)).toEqual([0, 1, 2]);
    expect(pts.at(-1)).toBe(44);
    expect(frames.length).toBeLessThan(45);
  });
});
