// Clip recording end to end: `analyze --clips` on a shared clip of a known person, padded with still grey video
// before and after (so pre- and post-roll have something to take) and re-encoded with a keyframe every second (so
// the start is a choice between keyframes). The clip is checked with Debian's ffprobe: an H.264 MP4 starting at a
// keyframe at 0, spanning the episode plus the rolls within a GOP, and made of the source's very packets.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyze, type AnalyzeResult } from '../../cli/analyze.ts';
import { DEMO_WATCHLIST } from '../../test/paths.ts';
import { clipPath } from '../../stores/frames/layout.ts';
import { GOP_S, paddedClip, probeFile, probePackets } from './testing/media.ts';

const PRE_ROLL = 2;
const POST_ROLL = 1.5;

describe('analyze --clips', () => {
  let dir: string;
  let source: string;
  let result: AnalyzeResult;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fs-clips-'));
    source = await paddedClip(dir);
    result = await analyze({
      source,
      watchlistDir: DEMO_WATCHLIST,
      overrides: { camera: 'lobby 1', clips: { pre_roll: PRE_ROLL, post_roll: POST_ROLL } },
      clipsDir: join(dir, 'clips'),
      progress: false,
      printEvents: false,
      logLevel: 'silent',
    });
  }, 60_000);

  it('writes one clip per episode, of the known person, where clipPath says', () => {
    const episodes = result.report.episodes;
    expect(episodes.length).toBeGreaterThan(0);
    expect(episodes.some((e) => e.dossier === 'woman-in-grey')).toBe(true);
    expect(result.clips?.map((c) => c.path).sort()).toEqual(episodes.map((e) => clipPath(join(dir, 'clips'), 'lobby 1', e.id)).sort());
  });

  it('each clip is an H.264 MP4 of the source’s own packets from a keyframe, spanning the episode with its rolls', async () => {
    const { stream: sourceStream } = await probeFile(source);
    const sourcePackets = await probePackets(source);
    const sourceEnd = Math.max(...sourcePackets.map((p) => p.pts));
    for (const episode of result.report.episodes) {
      const file = clipPath(join(dir, 'clips'), 'lobby 1', episode.id);
      const { stream, formatName, durationS: duration } = await probeFile(file);
      expect(formatName).toContain('mp4');
      expect(stream['codec_name']).toBe('h264');
      // remuxed, not re-encoded: the same codec parameters ...
      expect(stream).toEqual(sourceStream);
      const clip = await probePackets(file);
      expect(clip[0]).toMatchObject({ pts: 0, keyframe: true });
      // ... and the same bytes: the clip's packets are a run of the source's, from a keyframe
      const first = sourcePackets.findIndex((p) => p.hash === clip[0]!.hash);
      expect(sourcePackets[first]!.keyframe).toBe(true);
      expect(sourcePackets.slice(first, first + clip.length).map((p) => p.hash)).toEqual(clip.map((p) => p.hash));
      // starts at the keyframe at or before the episode's start − pre-roll, ends at its end + post-roll
      const wantStart = Math.max(0, episode.start_s - PRE_ROLL);
      const start = sourcePackets[first]!.pts;
      expect(start).toBeLessThanOrEqual(wantStart + 1e-6);
      expect(start).toBeGreaterThan(wantStart - GOP_S - 1e-6);
      const wantEnd = Math.min(sourceEnd, episode.end_s + POST_ROLL);
      expect(Math.abs(start + duration - wantEnd)).toBeLessThanOrEqual(GOP_S);
    }
  });
});
