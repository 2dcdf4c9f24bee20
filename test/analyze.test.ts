// End-to-end: `analyze` on the embedded topology over the shared clips, with real models.
import { mkdtemp, copyFile, mkdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyze, type AnalyzeOptions } from '../cli/analyze.ts';
import type { Report } from '../report/schema.ts';
import { DEMO_CLIP, DEMO_WATCHLIST, REPO, VIDEO } from './paths.ts';
import { readVideo } from '../pipelines/ingest/index.ts';

const base: Omit<AnalyzeOptions, 'source'> = { overrides: {}, progress: false, printEvents: false, logLevel: 'silent' };

const run = async (source: string, opts: Partial<AnalyzeOptions> = {}): Promise<Report> => {
  const { report, sourceError } = await analyze({ ...base, source, ...opts });
  expect(sourceError).toBeUndefined();
  return report;
};

/** A still of the man from the male-only clip, as a watch-list photo (the demo has the woman). */
async function watchlistWithBoth(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'fs-wl-'));
  await mkdir(join(dir, 'woman-in-grey'));
  await copyFile(join(DEMO_WATCHLIST, 'woman-in-grey.jpg'), join(dir, 'woman-in-grey', 'still.jpg'));
  const frames = readVideo(VIDEO('head-pose-face-detection-male.mp4'));
  for (let r = await frames.next(), i = 0; !r.done; r = await frames.next(), i++) {
    if (i !== 5) continue;
    const { width, height, data } = r.value.image;
    await sharp(Buffer.from(data), { raw: { width, height, channels: 3 } }).jpeg({ quality: 92 }).toFile(join(dir, 'man-in-blue.jpg'));
    await frames.return(undefined as never);
    break;
  }
  return dir;
}

describe('analyze (embedded topology, real models, shared clips)', () => {
  let demo: Report;
  beforeAll(async () => {
    demo = await run(DEMO_CLIP, { watchlistDir: DEMO_WATCHLIST });
  });

  it('demo: the enrolled woman is matched, the man stays unknown', () => {
    const matchedTracks = new Set(demo.events.filter((e) => e.matched).map((e) => e.track_id));
    const unknownTracks = new Set(demo.events.filter((e) => !e.matched).map((e) => e.track_id));
    expect(demo.summary.tracks).toBe(2);
    expect(matchedTracks.size).toBe(1);
    expect(unknownTracks.size).toBe(1);
    expect([...matchedTracks].some((t) => unknownTracks.has(t))).toBe(false);
    expect(demo.events.filter((e) => e.matched).every((e) => e.dossier === 'woman-in-grey')).toBe(true);
    // the woman sits on the left of the frame, the man on the right
    const womanTrack = [...matchedTracks][0]!;
    const womanX = demo.events.filter((e) => e.track_id === womanTrack).map((e) => e.bbox_rel.x + e.bbox_rel.w / 2);
    expect(Math.max(...womanX)).toBeLessThan(0.5);
    expect(demo.episodes.map((e) => e.dossier).sort()).toEqual(['woman-in-grey', null].sort());
  });

  it('writes a report that validates against the committed JSON schema', async () => {
    const schema = JSON.parse(await readFile(join(REPO, 'report/report.schema.json'), 'utf8')) as Record<string, unknown>;
    const ajv = (addFormatsModule as unknown as (a: Ajv) => Ajv)(new Ajv({ allErrors: true, strict: false }));
    const valid = ajv.validate(schema, demo);
    expect(ajv.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    const ids = demo.events.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const e of demo.events) {
      expect(e.candidates.map((c) => c.confidence)).toEqual([...e.candidates.map((c) => c.confidence)].sort((a, b) => b - a));
      expect(e.episode).not.toBeNull();
    }
    const valossa = demo.valossa.core.detections;
    expect(Object.values(valossa).filter((d) => d.a.similar_to?.[0]?.name === 'woman-in-grey')).toHaveLength(1);
    expect(demo.valossa.frames_faces.faces_by_frame.filter((f) => f.length === 2).length).toBeGreaterThan(40);
  });

  it('is deterministic: the same input gives the same events and episodes', async () => {
    const again = await run(DEMO_CLIP, { watchlistDir: DEMO_WATCHLIST });
    expect(again.events.map((e) => [e.id, e.dossier, e.track_id])).toEqual(demo.events.map((e) => [e.id, e.dossier, e.track_id]));
    expect(again.episodes.map((e) => [e.id, e.events_count])).toEqual(demo.episodes.map((e) => [e.id, e.events_count]));
  });

  it('identifies across clips: woman and man enrolled from their own clips are found in the joint clip', async () => {
    const report = await run(VIDEO('head-pose-face-detection-female-and-male.mp4'), { watchlistDir: await watchlistWithBoth() });
    const byTrack = new Map<string, Set<string | null>>();
    for (const e of report.events) byTrack.set(e.track_id, (byTrack.get(e.track_id) ?? new Set()).add(e.dossier));
    const verdicts = [...byTrack.values()].map((s) => [...s].filter(Boolean));
    expect(verdicts.map((v) => v.join()).sort()).toEqual(['man-in-blue', 'woman-in-grey']);
    // each event matches the right person: woman on the left, man on the right
    for (const e of report.events.filter((x) => x.matched)) {
      expect(e.dossier).toBe(e.bbox_rel.x + e.bbox_rel.w / 2 < 0.5 ? 'woman-in-grey' : 'man-in-blue');
    }
  });

  it('finds the three people of the walking-and-pause clip', async () => {
    const report = await run(VIDEO('face-demographics-walking-and-pause.mp4'));
    const perFrame = report.valossa.frames_faces.faces_by_frame.map((f) => f.length);
    expect(Math.max(...perFrame)).toBe(3);
    expect(report.summary.tracks).toBeGreaterThanOrEqual(3);
    expect(report.summary.matched_events).toBe(0);
  });

  it('tiling finds small faces the whole-frame pass misses (classroom)', async () => {
    const plain = await run(VIDEO('classroom.mp4'));
    const tiled = await run(VIDEO('classroom.mp4'), { overrides: { detect: { tiling: true } } });
    expect(plain.summary.faces).toBeGreaterThan(45); // at least one face a frame without tiling
    expect(tiled.summary.faces).toBeGreaterThan(plain.summary.faces * 1.4);
    // small faces are tracked but below filter_min_quality (-2), so FindFace's rule posts no event for them
    expect(tiled.summary.tracks).toBeGreaterThanOrEqual(4);
  });

  it.each([
    ['head-pose-face-detection-female.mp4', 1],
    ['head-pose-face-detection-male.mp4', 1],
    ['head-pose-face-detection-female-and-male.mp4', 2],
  ])('keeps one stable track per person while heads turn: %s', async (clip, people) => {
    const report = await run(VIDEO(clip));
    // id switches = confirmed tracks beyond one per person
    const idSwitches = report.summary.tracks - people;
    expect(idSwitches).toBe(0);
    const covered = report.tracks.reduce((s, t) => s + t.frames, 0);
    expect(covered).toBeGreaterThanOrEqual(0.9 * report.summary.frames * people);
  });

  it('overall mode posts exactly one event per track; --fps samples frames', async () => {
    const report = await run(DEMO_CLIP, { overrides: { best_shot: { overall_only: true }, ingest: { fps: 6, start_stream_timestamp: 1_800_000_000 } } });
    for (const e of report.events) expect(Date.parse(e.ts)).toBe(Math.round(1_800_000_000_000 + e.t_s * 1000));
    expect(report.source.mode).toBe('overall');
    expect(report.events.every((e) => e.post_type === 'overall')).toBe(true);
    expect(report.events).toHaveLength(report.summary.tracks);
    expect(report.summary.frames).toBeGreaterThanOrEqual(26);
    expect(report.summary.frames).toBeLessThanOrEqual(30);
  });
});
