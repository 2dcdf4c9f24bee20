// Clip recording end to end: `analyze --clips` on a shared clip of a known person, padded with still grey video
// before and after (so pre- and post-roll have something to take) and re-encoded with a keyframe every second (so
// the start is a choice between keyframes). The clip is checked with Debian's ffprobe: an H.264 MP4 starting at a
// keyframe at 0, spanning the episode plus the rolls within a GOP, and made of the source's very packets.
import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyze, type AnalyzeResult } from '../../cli/analyze.ts';
import { DEMO_WATCHLIST, VIDEO } from '../../test/paths.ts';
import { clipPath } from '../../stores/frames/layout.ts';

const run = promisify(execFile);
const FPS = 12;
const GOP_S = 1;
const PRE_ROLL = 2;
const POST_ROLL = 1.5;
const LEAD_S = 4;

async function ffprobe(...args: string[]): Promise<string> {
  return (await run('ffprobe', ['-v', 'error', ...args], { maxBuffer: 16 << 20 })).stdout;
}

interface ProbedPacket {
  readonly pts: number;
  readonly keyframe: boolean;
  readonly hash: string;
}

async function packets(file: string): Promise<ProbedPacket[]> {
  const out = await ffprobe('-select_streams', 'v', '-show_data_hash', 'MD5', '-show_entries', 'packet=pts_time,flags,data_hash', '-of', 'json', file);
  return (JSON.parse(out) as { packets: Array<{ pts_time: string; flags: string; data_hash: string }> }).packets.map((p) => ({
    pts: Number(p.pts_time),
    keyframe: p.flags.startsWith('K'),
    hash: p.data_hash,
  }));
}

async function streamOf(file: string): Promise<Record<string, unknown>> {
  const entries = 'stream=codec_name,profile,level,width,height,pix_fmt,color_range,color_space,extradata_size,extradata_hash:format=format_name,duration';
  const out = await ffprobe('-select_streams', 'v', '-show_data_hash', 'MD5', '-show_entries', entries, '-of', 'json', file);
  const doc = JSON.parse(out) as { streams: Array<Record<string, unknown>>; format: Record<string, unknown> };
  return { ...doc.streams[0], format: doc.format };
}

describe('analyze --clips', () => {
  let dir: string;
  let source: string;
  let result: AnalyzeResult;

  beforeAll(async () => {
    await expect(run('ffprobe', ['-version']), 'Debian ffmpeg (ffprobe) must be installed').resolves.toBeDefined();
    dir = await mkdtemp(join(tmpdir(), 'fs-clips-'));
    source = join(dir, 'padded.mp4');
    // grey, the woman and the man turning their heads, grey: one episode in the middle
    const grey = `color=c=gray:s=480x270:r=${FPS}:d=${LEAD_S}`;
    await run('ffmpeg', [
      ...['-v', 'error', '-y', '-f', 'lavfi', '-i', grey, '-i', VIDEO('head-pose-face-detection-female-and-male.mp4'), '-f', 'lavfi', '-i', grey],
      ...['-filter_complex', `[0:v]format=yuv420p,setsar=1[a];[1:v]format=yuv420p,setsar=1,fps=${FPS}[b];[2:v]format=yuv420p,setsar=1[c];[a][b][c]concat=n=3:v=1[v]`],
      ...['-map', '[v]', '-c:v', 'libx264', '-preset', 'veryfast', '-g', String(FPS * GOP_S), '-keyint_min', String(FPS * GOP_S), '-sc_threshold', '0', '-bf', '2', source],
    ]);
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
    const sourceStream = await streamOf(source);
    const sourcePackets = await packets(source);
    const sourceEnd = Math.max(...sourcePackets.map((p) => p.pts));
    for (const episode of result.report.episodes) {
      const file = clipPath(join(dir, 'clips'), 'lobby 1', episode.id);
      const { format, ...stream } = await streamOf(file);
      expect((format as { format_name: string }).format_name).toContain('mp4');
      expect(stream['codec_name']).toBe('h264');
      // remuxed, not re-encoded: the same codec parameters ...
      expect(stream).toEqual(stripFormat(sourceStream));
      const clip = await packets(file);
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
      const duration = Number((format as { duration: string }).duration);
      expect(Math.abs(start + duration - wantEnd)).toBeLessThanOrEqual(GOP_S);
    }
  });
});

function stripFormat(s: Record<string, unknown>): Record<string, unknown> {
  const { format: _format, ...rest } = s;
  return rest;
}
