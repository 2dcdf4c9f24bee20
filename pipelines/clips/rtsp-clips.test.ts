// Clip recording from a live camera: the padded clip (testing/media.ts) served once in real time by the test RTSP
// server (RTP over TCP, stream timestamps that do not start at 0, frames dated by arrival), analysed with --clips.
// The clip is checked with ffprobe: H.264 in MP4 with the source's codec parameters, a keyframe at 0, spanning the
// episode and its rolls within a GOP (each way: arrival jitter moves the episode's times a little).
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze, type AnalyzeResult } from '../../cli/analyze.ts';
import { clipPath } from '../../stores/frames/layout.ts';
import { DEMO_WATCHLIST } from '../../test/paths.ts';
import { startTestRtspServer, type TestRtspServer } from '../ingest/testing/rtsp-server.ts';
import { GOP_S, PAD_S, paddedClip, probeFile, probePackets } from './testing/media.ts';

const PRE_ROLL = 2;
const POST_ROLL = 1.5;

describe('clips of a live RTSP camera', () => {
  let server: TestRtspServer | undefined;
  let dir: string;
  let source: string;
  let result: AnalyzeResult;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fs-rtsp-clips-'));
    source = await paddedClip(dir);
    server = await startTestRtspServer({ clip: source, loops: 1 });
    result = await analyze({
      source: server.url,
      watchlistDir: DEMO_WATCHLIST,
      overrides: { camera: 'door', clips: { pre_roll: PRE_ROLL, post_roll: POST_ROLL } },
      clipsDir: join(dir, 'clips'),
      progress: false,
      printEvents: false,
      logLevel: 'silent',
    });
  }, 60_000);
  afterAll(async () => {
    await server?.close();
  });

  it('the camera hung up after one play; its episodes have clips of its own H.264', async () => {
    // a live stream never ends by itself: the hang-up is the source error, and what came before is kept
    expect(result.sourceError).toBeDefined();
    const episodes = result.report.episodes;
    expect(episodes.length).toBeGreaterThan(0);
    expect(result.clips?.length).toBe(episodes.length);
    const { stream: sourceStream } = await probeFile(source);
    for (const episode of episodes) {
      const file = clipPath(join(dir, 'clips'), 'door', episode.id);
      const { stream, formatName, durationS } = await probeFile(file);
      expect(formatName).toContain('mp4');
      // the same picture and codec parameters; the extradata is rewritten (RTSP's Annex B parameter sets → avcC)
      const params = ({ extradata_size: _s, extradata_hash: _h, ...rest }: Readonly<Record<string, unknown>>) => rest;
      expect(params(stream)).toEqual(params(sourceStream));
      const packets = await probePackets(file);
      expect(packets[0]).toMatchObject({ pts: 0, keyframe: true });
      // the people are on screen from PAD_S: the episode is there, with its rolls (bounded by the stream's ends)
      expect(episode.start_s).toBeGreaterThanOrEqual(PAD_S - 1);
      const want = episode.end_s + POST_ROLL - Math.max(0, episode.start_s - PRE_ROLL);
      expect(durationS).toBeGreaterThan(want - GOP_S);
      expect(durationS).toBeLessThan(want + 2 * GOP_S);
    }
  });
});
