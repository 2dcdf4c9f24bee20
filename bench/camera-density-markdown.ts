// The "Camera density" section of docs/BENCHMARKS.md and its row of the goals table, from the camera-density part's
// results (pure).
import { DENSITY_GOAL, type Percentiles } from './camera-density-stats.ts';
import type { DensityResults, DensityStep } from './camera-density.ts';

const table = (head: readonly string[], rows: readonly (readonly (string | number)[])[]) =>
  [head, head.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
const p50p95 = (p: Percentiles | null) => (p ? `${p.p50} / ${p.p95}` : 'no events');
/** more load from the rest of the machine than this during a step and its figures are not this box's alone */
const DISTURBED_CORES = 0.15;

const GOAL_TEXT =
  `camera density: ≥ ${DENSITY_GOAL.streams} concurrent 720p 25 fps RTSP streams per 2-core box, detection ≥ ${DENSITY_GOAL.detectionFps} fps each, ` +
  `event latency p95 ≤ ${DENSITY_GOAL.latencyP95Ms / 1000} s, ≤ ${DENSITY_GOAL.rssPerStreamMb} MB a stream`;

const perStream = (s: DensityStep) => ({ cores: s.cores / s.streams, rssMb: s.rssMb / s.streams });

/** RSS each stream adds: the slope from the smallest step to `s` (the models and the runtime are paid once). */
function addedRssMb(r: DensityResults, s: DensityStep): number | undefined {
  const first = r.steps[0];
  return first && s.streams > first.streams ? (s.rssMb - first.rssMb) / (s.streams - first.streams) : undefined;
}

/** The step the figure is read at: the largest that met the criteria. */
const figureStep = (r: DensityResults) => r.steps.find((s) => s.streams === r.figure);

function endedText(r: DensityResults): string {
  if (r.ended === 'criteria') return `the ramp stopped at ${r.steps.at(-1)!.streams} streams, the first step that failed the criteria`;
  if (r.ended === 'budget') return `the ramp stopped at the time budget (${r.budgetS} s) with every step meeting the criteria: the figure is a lower bound`;
  return 'the ramp ran the steps asked for (--density-streams)';
}

export function cameraDensityGoalRow(r: DensityResults): string[] {
  const s = figureStep(r);
  if (!s) return [GOAL_TEXT, `no step met the criteria (${r.steps.map((x) => `${x.streams}: detection min ${x.fps.min} fps, p95 ${x.eventLatencyMs?.p95 ?? '-'} ms`).join('; ')})`, '**not met**'];
  const per = perStream(s);
  const lowerBound = r.ended === 'criteria' ? '' : ' or more (the ramp stopped before a step failed)';
  const ok = r.figure >= DENSITY_GOAL.streams && per.rssMb <= DENSITY_GOAL.rssPerStreamMb;
  return [
    GOAL_TEXT,
    `**${r.figure} streams**${lowerBound}: detection min ${s.fps.min} fps, event p95 ${s.eventLatencyMs?.p95} ms; per stream ${per.cores.toFixed(2)} cores, ${Math.round(per.rssMb)} MiB RSS (${s.rssMb} MiB in all)`,
    ok ? 'met' : '**not met**',
  ];
}

/** `when`: the run's start and commit, since `--into` may put this section into a file of another run */
export function cameraDensitySection(r: DensityResults, produced: string, when: string): string {
  const disturbed = r.steps.filter((s) => s.otherCores > DISTURBED_CORES);
  const s = figureStep(r);
  const added = s ? addedRssMb(r, s) : undefined;
  return [
    '## Camera density: live 720p RTSP streams per box',
    '',
    `${produced} Measured ${when}; the ramp started at ${r.startedAt}.`,
    `**Cameras.** \`${r.clip.path.split('/').pop()}\`: ${r.clip.seconds} s of the shared clip \`${r.clip.sourceClip}\` (a woman and a man turning their heads; Intel IoT Devkit sample videos, CC BY 4.0) scaled to 1280×720 at 25 fps, made once with Debian's ffmpeg into \`.cache/bench/camera-density/\` (no 720p clip is shared):`,
    '',
    '```',
    r.clip.command,
    '```',
    '',
    `Each step starts the ingest tests' RTSP server (pipelines/ingest/testing/rtsp-server.ts, in a process of its own: bench/camera-density-server.ts), which sends that file's H.264 packets over RTSP/TCP on loopback at their own pace, looped, without re-encoding; each of the N cameras is a session of its own, from the clip's start. ` +
      `**facestream.** One process (bench/camera-density-child.ts) runs the N cameras on the embedded topology (buildGraph with one ingest source per camera): ingest over RTSP/TCP decoding every frame and handing ${r.fps} frames/s to detection, detect, track, embed, match against \`${r.watchlist}\` (the woman, from another clip, so events are matched), episodes; default configuration otherwise, no analytics sink. ` +
      `After every camera has had a frame through detection and a ${r.warmupS} s warm-up, a ${r.windowS} s window is measured. ` +
      `Frames are dated by their stream time from the moment the stream was asked for (\`ingest.use_stream_timestamp\`), which is when the server sends them: a process that falls behind shows it as lag, not as a backlog hidden in the socket.`,
    '',
    `**Columns.** Detection fps: frames captured in the window that came out of detection within ${r.graceS} s of its end, over its length, per stream (a stream that keeps up counts exactly ${r.fps}); frames late: the streams' sampled frames in the window not counted so. ` +
      `Event latency: the event leaving match less the capture of the frame that made the post (the track's newest, which closed the realtime best-shot window) — the criterion; best shot → event also waits out that window (\`best_shot.realtime_post_interval\`, 1 s). ` +
      `Cores: CPU time over the window of the facestream process (all threads) and of the RTSP server (not facestream's cost), and of the rest of the machine (/proc/stat less both). RSS: the facestream process at the window's end. ` +
      `Criteria of a step: detection ≥ ${DENSITY_GOAL.detectionFps} fps on every stream and event latency p95 ≤ ${DENSITY_GOAL.latencyP95Ms} ms.`,
    '',
    table(
      ['streams', 'detection fps min / median', 'frames late', 'capture → detections p50 / p95 (ms)', 'event latency p50 / p95 (ms)', 'best shot → event p50 / p95 (ms)', 'events (matched)', 'facestream cores (per stream)', 'RSS MiB (per stream)', 'RTSP server cores', 'other load (cores)', 'criteria'],
      r.steps.map((x) => [
        x.streams,
        `${x.fps.min} / ${x.fps.median}`,
        x.framesLate,
        p50p95(x.detectionLagMs),
        p50p95(x.eventLatencyMs),
        p50p95(x.bestShotLatencyMs),
        `${x.events} (${x.matchedEvents})`,
        `${x.cores} (${perStream(x).cores.toFixed(2)})`,
        `${x.rssMb} (${Math.round(perStream(x).rssMb)})`,
        x.serverCores,
        x.otherCores,
        x.met ? 'met' : '**not met**',
      ]),
    ),
    '',
    `**Figure: ${r.figure} streams** of 720p 25 fps on this box (goal ≥ ${DENSITY_GOAL.streams}: ${r.figure >= DENSITY_GOAL.streams ? 'met' : '**not met**'}); ${endedText(r)}.` +
      (s ? ` At ${s.streams} streams each costs ${perStream(s).cores.toFixed(2)} cores and ${Math.round(perStream(s).rssMb)} MiB of RSS (goal ≤ ${DENSITY_GOAL.rssPerStreamMb} MB)${added !== undefined ? `, of which each added stream ${Math.round(added)} MiB (the slope from ${r.steps[0]!.streams} stream${r.steps[0]!.streams === 1 ? '' : 's'}; the models and runtime are paid once)` : ''}.` : '') +
      ' FindFace documents 2 cores for one such camera.',
    ...(disturbed.length > 0
      ? ['', `**Disturbed:** the rest of the machine used more than ${DISTURBED_CORES} cores during the step${disturbed.length === 1 ? '' : 's'} of ${disturbed.map((x) => x.streams).join(', ')} streams; those figures are not this box's alone — run the part again on a quiet machine.`]
      : []),
  ].join('\n');
}
