// `analyze` on a live RTSP camera (RTSP over TCP, our test server playing the demo clip in real time):
// the same people are found as in the file, and the camera hanging up is reported, not fatal to the report.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '../cli/analyze.ts';
import { SourceError } from '../pipelines/ingest/index.ts';
import { startTestRtspServer, type TestRtspServer } from '../pipelines/ingest/testing/rtsp-server.ts';
import { DEMO_CLIP, DEMO_WATCHLIST } from './paths.ts';

let server: TestRtspServer;
beforeAll(async () => {
  server = await startTestRtspServer({ clip: DEMO_CLIP, loops: 1 });
});
afterAll(async () => {
  await server.close();
});

describe('analyze over RTSP', () => {
  it('identifies the enrolled woman on a live stream and reports the camera hanging up', async () => {
    const started = Date.now();
    const { report, sourceError } = await analyze({
      source: server.url,
      watchlistDir: DEMO_WATCHLIST,
      overrides: { ingest: { timeout_s: 3 } },
      progress: false,
      printEvents: false,
      logLevel: 'silent',
    });
    expect(sourceError).toBeInstanceOf(SourceError);
    expect((sourceError as SourceError).code).toBe('ended_early');
    expect(report.summary.frames).toBeGreaterThan(40);
    expect(report.summary.tracks).toBe(2);
    expect(new Set(report.events.filter((e) => e.matched).map((e) => e.dossier))).toEqual(new Set(['woman-in-grey']));
    expect(report.events.some((e) => !e.matched)).toBe(true);
    // live frames are dated by their arrival: within the run
    for (const e of report.events) {
      expect(Date.parse(e.ts)).toBeGreaterThanOrEqual(started - 1000);
      expect(Date.parse(e.ts)).toBeLessThanOrEqual(Date.now());
    }
  });
});
