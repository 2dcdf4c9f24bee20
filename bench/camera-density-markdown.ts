// The "Camera density" section of docs/BENCHMARKS.md and its row of the goals table, from the camera-density part's
// results (pure).
import { DENSITY_GOAL, type Percentiles } from './camera-density-stats.ts';
import type { DensityResults, DensityStep } from './camera-density.ts';

const table = (head: readonly string[], rows: readonly (readonly (string | number)[])[]) =>
  [head, head.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
const streamsText = (n: number) => `${n} stream${n === 1 ? '' : 's'}`;
const p50p95 = (p: Percentiles | null) => (p ? `${p.p50} / ${p.p95}` : 'no events');
/** more load from the rest of the machine than this during a step and its figures are not this box's alone */
const DISTURBED_CORES = 0.15;

const GOAL_TEXT =
  `camera density: ≥ ${DENSITY_GOAL.streams} concurrent 720p 25 fps RTSP streams per 2-core box, detection ≥ ${DENSITY_GOAL.detectionFps} fps each, ` +
  `event latency p95 ≤ ${DENSITY_GOAL.latencyP95Ms / 1000} s, ≤ ${DENSITY_GOAL.rssPerStreamMb} MB a stream`;

/** the goal is in MB (10^6 bytes), RSS is measured in MiB */
const withinMemoryGoal = (mib: number) => (mib * 2 ** 20) / 1e6 <= DENSITY_GOAL.rssPerStreamMb;

/** A stream's share: of the CPU, and of the memory above the process's base (models, watch list, PGlite: paid once). */
const perStream = (s: DensityStep) => ({ cores: s.cores / s.streams, rssMb: (s.rssMb - s.baseRssMb) / s.streams });

/** The step the figure is read at: the largest that met the criteria. */
const figureStep = (r: DensityResults) => r.steps.find((s) => s.streams === r.figure);

function endedText(r: DensityResults): string {
  if (r.ended === 'criteria') return `the ramp stopped at ${r.steps.at(-1)!.streams} streams, the first step that failed the criteria`;
  if (r.failed) return `the ramp stopped at ${streamsText(r.failed.streams)}: the facestream process failed (${r.failed.error.replaceAll('|', '\\|')})`;
  if (r.ended === 'budget') return `the ramp stopped at the time budget (${r.budgetS} s) with every step meeting the criteria: the figure is a lower bound`;
  return 'the ramp ran the steps asked for (--density-streams)';
}

export function cameraDensityGoalRow(r: DensityResults): string[] {
  const s = figureStep(r);
  if (!s) {
    const steps = r.steps.map((x) => `${streamsText(x.streams)}: detection min ${x.fps.min} fps, p95 ${x.eventLatencyMs?.p95 ?? '-'} ms`);
    return [GOAL_TEXT, `no step met the criteria (${[...steps, ...(r.failed ? [endedText(r)] : [])].join('; ')})`, '**not met**'];
  }
  const per = perStream(s);
  const lowerBound = r.ended === 'criteria' || r.ended === 'failed' ? '' : ' or more (the ramp stopped before a step failed)';
  const ok = r.figure >= DENSITY_GOAL.streams && withinMemoryGoal(per.rssMb);
  return [
    GOAL_TEXT,
    `**${streamsText(r.figure)}**${lowerBound}: detection min ${s.fps.min} fps, event p95 ${s.eventLatencyMs?.p95} ms; per stream ${per.cores.toFixed(2)} cores, ${Math.round(per.rssMb)} MiB RSS over a base of ${s.baseRssMb} MiB (${s.rssMb} MiB in all)`,
    ok ? 'met' : '**not met**',
  ];
}

/** `when`: the run's start and commit, since `--into` may put this section into a file of another run */
export function cameraDensitySection(r: DensityResults, produced: string, when: string): string {
  const disturbed = r.steps.filter((s) => s.otherCores > DISTURBED_CORES);
  const s = figureStep(r);
  return [
    '## Camera density: live 720p RTSP streams per box',
    '',
    `${produced} Measured ${when}; the ramp started at ${r.startedAt}.`,
    '',
    `**Cameras.** \`${r.clip.path.split('/').pop()}\`: ${r.clip.seconds} s of the shared clip \`${r.clip.sourceClip}\` (a woman and a man turning their heads; Intel IoT Devkit sample videos, CC BY 4.0) scaled to 1280×720 at 25 fps, made once with Debian's ffmpeg into \`.cache/bench/camera-density/\` (no 720p clip is shared):`,
    '',
    '```',
    r.clip.command,
    '```',
    '',
    `Each step starts the ingest tests' RTSP server (pipelines/ingest/testing/rtsp-server.ts, in a process of its own: bench/camera-density-server.ts), which sends that file's H.264 packets over RTSP/TCP on loopback at their own pace, looped, without re-encoding; each of the N cameras is a session of its own, from the clip's start. ` +
      `The cameras join one after another over ${r.staggerS} s, one loop of the file (camera k of N at k/N of it), as independent cameras are switched on: each session starts at the file's beginning when it joins, so faces come to the cameras at different instants (cameras started together would all see faces at the same instants, bursts that independent cameras spread out). ` +
      `**facestream.** One process (bench/camera-density-child.ts) runs the N cameras as \`facestream serve\` does: the cameras in PostgreSQL (PGlite in the process, serve's default) with stream_settings \`fps: ${r.fps}\` (detection fps) and \`use_stream_timestamp\`, and the camera manager (pipelines/cameras/manager.ts) adding one ingest source per camera (RTSP over TCP, every frame decoded, ${r.fps} a second handed on) to the running graph of serve's camera path: detect, track, embed, match against \`${r.watchlist}\` (the woman, from another clip, so events are matched), episodes; default configuration otherwise; serve's analytics sinks, notifications and counters are left out. ` +
      `After the last camera has joined, every camera has had a frame through detection and a ${r.warmupS} s warm-up, a ${r.windowS} s window is measured. ` +
      `Frames are dated by their stream time from the moment the stream was asked for (\`use_stream_timestamp\`), which is when the server sends them: a process that falls behind shows it as lag, not as a backlog hidden in the socket.`,
    '',
    `**Columns.** Detection fps: frames captured in the window that came out of detection within ${r.graceS} s of its end, over its length, per stream (a stream that keeps up counts exactly ${r.fps}); frames late: the streams' sampled frames in the window not counted so; dropped, decoding errors and restarts: the camera manager's health counters (\`frames_dropped\`, \`decoding_soft_errors\`, \`job_starts\` beyond the first) over the window. ` +
      `Event latency: the event leaving match less the capture of the frame that made the post (the track's newest, which closed the realtime best-shot window) — the criterion; best shot → event also waits out that window (\`best_shot.realtime_post_interval\`, 1 s). ` +
      `Cores: CPU time over the window of the facestream process (all threads) and of the RTSP server (not facestream's cost), and of the rest of the machine (/proc/stat less both). RSS: the facestream process at the window's end, after a full garbage collection; its base is the same process with the models, the watch list and PGlite loaded before any camera started, and a stream's share is the rest over N. ` +
      `Criteria of a step: detection ≥ ${DENSITY_GOAL.detectionFps} fps on every stream and event latency p95 ≤ ${DENSITY_GOAL.latencyP95Ms} ms.`,
    '',
    table(
      ['streams', 'detection fps min / median', 'frames late / dropped / decoding errors / restarts', 'capture → detections p50 / p95 (ms)', 'event latency p50 / p95 (ms)', 'best shot → event p50 / p95 (ms)', 'events (matched)', 'facestream cores (per stream)', 'RSS MiB (base; per stream)', 'RTSP server cores', 'other load (cores)', 'criteria'],
      r.steps.map((x) => [
        x.streams,
        `${x.fps.min} / ${x.fps.median}`,
        `${x.framesLate} / ${x.framesDropped} / ${x.decodingSoftErrors} / ${x.restarts}`,
        p50p95(x.detectionLagMs),
        p50p95(x.eventLatencyMs),
        p50p95(x.bestShotLatencyMs),
        `${x.events} (${x.matchedEvents})`,
        `${x.cores} (${perStream(x).cores.toFixed(2)})`,
        `${x.rssMb} (${x.baseRssMb}; ${Math.round(perStream(x).rssMb)})`,
        x.serverCores,
        x.otherCores,
        x.met ? 'met' : '**not met**',
      ]),
    ),
    '',
    `**Figure: ${streamsText(r.figure)}** of 720p 25 fps on this box (goal ≥ ${DENSITY_GOAL.streams}: ${r.figure >= DENSITY_GOAL.streams ? 'met' : '**not met**'}); ${endedText(r)}.` +
      (s ? ` At ${streamsText(s.streams)} each costs ${perStream(s).cores.toFixed(2)} cores and ${Math.round(perStream(s).rssMb)} MiB of RSS over the process's base of ${s.baseRssMb} MiB (goal ≤ ${DENSITY_GOAL.rssPerStreamMb} MB a stream: ${withinMemoryGoal(perStream(s).rssMb) ? 'met' : '**not met**'}).` : '') +
      ' FindFace documents 2 cores for one such camera.',
    ...(disturbed.length > 0
      ? ['', `**Disturbed:** the rest of the machine used more than ${DISTURBED_CORES} cores during the step${disturbed.length === 1 ? '' : 's'} of ${disturbed.map((x) => x.streams).join(', ')} streams; those figures are not this box's alone — run the part again on a quiet machine.`]
      : []),
  ].join('\n');
}
