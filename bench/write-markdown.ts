// Turns one bench run into docs/BENCHMARKS.md. Pure: every figure comes from the results passed in (nothing is
// typed here but the goals, quoted from the issue), so the file can only say what the run measured.
import type { AccuracyReport } from './accuracy.ts';
import type { AnalyticsResults } from './analytics.ts';
import { analyticsGoalRow, analyticsSection, apiGoalRow, apiSection, enrolmentGoalRow } from './analytics-markdown.ts';
import type { ApiLoadResults } from './api-load.ts';
import type { DensityResults } from './camera-density.ts';
import { cameraDensityGoalRow, cameraDensitySection } from './camera-density-markdown.ts';
import type { ConsoleResults } from './console.ts';
import { consoleGoalRow, consoleSection } from './console-markdown.ts';
import type { VideoGenderReport } from './video-gender.ts';
import type { ClipRow, SpeedResults, SpeedRow } from './analyze-speed.ts';
import type { KafkaResults } from './kafka.ts';
import { kafkaGoalRows, kafkaMemoryRows, kafkaSections } from './kafka-markdown.ts';
import type { MachineInfo } from './machine.ts';
import { matcherGoalRow, matcherGoalUnmeasured, matcherSection } from './matcher-markdown.ts';
import type { MatcherResults } from './matcher-sizes.ts';
import type { AnalyzeRun, Measured } from './memory.ts';
import type { LatencyReport } from './model-latency.ts';

export interface BenchResults {
  /** ISO date-time the run started */
  readonly started: string;
  /** the command line of this run, as a user would type it */
  readonly command: string;
  readonly machine: MachineInfo;
  readonly loadAtEnd: number;
  readonly totalS: number;
  /** seconds the run waited for other processes to go quiet before its tasks */
  readonly waitedS: number;
  readonly baseline: Measured<null>;
  /** the latency bench repeated in fresh processes: its figures vary from process to process */
  readonly latency?: readonly Measured<LatencyReport>[];
  readonly accuracy?: Measured<AccuracyReport>;
  readonly videoGender?: Measured<VideoGenderReport>;
  readonly speed?: SpeedResults;
  readonly clips?: readonly ClipRow[];
  readonly kafka?: KafkaResults;
  readonly matcher?: MatcherResults;
  readonly analytics?: AnalyticsResults;
  readonly api?: ApiLoadResults;
  readonly cameraDensity?: DensityResults;
  readonly console?: ConsoleResults;
}

/** The goals of the issue, the only numbers this file does not measure. */
export const GOALS = {
  embeddingsPerSecond: 90,
  analyzeSpeedX: 8,
  verificationAccuracy: 0.97,
  /** per process, match and episodes over Kafka with real embeddings replayed */
  kafkaRecordsPerSecond: 20_000,
} as const;

const pct = (v: number) => `${(v * 100).toFixed(1)} %`;
const num = (v: number, digits = 1) => v.toFixed(digits);
const met = (ok: boolean) => (ok ? 'met' : '**not met**');

function table(head: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const line = (cells: readonly (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

function produced(r: BenchResults, only: string, standalone?: string): string {
  const alone = `\`npm run bench -- --only ${only}\`` + (standalone ? ` or \`${standalone}\`` : '');
  return `Produced by \`${r.command}\`; this table alone: ${alone}.`;
}

/** frames analysed per second of wall clock, the speed a camera budget is planned in */
const fpsOf = (a: AnalyzeRun) => (a.summary.elapsed_s > 0 ? a.summary.frames / a.summary.elapsed_s : 0);
/** ' (runs 7.1×, 7.4×, 7.6×)' for a row that ran more than once; '' otherwise */
const speedRuns = (row: SpeedRow) => (row.speeds.length > 1 ? ` (runs ${row.speeds.map((x) => `${x}×`).join(', ')})` : '');
const coresOf = (m: Measured<unknown>) => (m.wallS > 0 ? m.cpuS / m.wallS : 0);

function machineSection(r: BenchResults): string {
  const m = r.machine;
  return [
    '## Machine',
    '',
    table(
      ['what', 'value'],
      [
        ['CPU (/proc/cpuinfo)', m.cpuModel],
        ['cores', m.cores],
        ['RAM', `${m.ramGiB} GiB`],
        ['OS', m.os],
        ['Node', m.node],
        ['onnxruntime-node', m.onnxruntimeNode],
        ['node-av (decoder)', m.nodeAv],
        ['ffmpeg CLI (makes the 720p input)', m.ffmpegCli],
        ['repository commit', m.gitCommit],
        ['1-min load average at start / end', `${m.loadAtStart} / ${r.loadAtEnd}`],
        ['run started', r.started],
        ['whole run', `${Math.round(r.totalS)} s, of which ${r.waitedS} s waiting for other processes to go quiet`],
      ],
    ),
  ].join('\n');
}

function goalsSection(r: BenchResults): string {
  const rows: string[][] = [];
  if (r.latency?.length) {
    const eps = embeddingRows(r.latency);
    const best = eps.reduce((a, b) => (b.median > a.median ? b : a));
    rows.push([
      `embeddings/s ≥ ${GOALS.embeddingsPerSecond} on 2 cores`,
      `${best.median} /s (batch ${best.batch}, 2 threads; median of ${r.latency.length} runs${best.min === best.max ? ', all equal' : `, range ${best.min}–${best.max}`})`,
      met(best.median >= GOALS.embeddingsPerSecond),
    ]);
  }
  const goalRow = r.speed?.rows[0];
  if (goalRow) {
    const s = goalRow.run.value.summary;
    rows.push([
      `analyze ≥ ${GOALS.analyzeSpeedX}× real time, 720p 25 fps, detection on every frame`,
      `${s.speed_x_realtime}× (${num(fpsOf(goalRow.run.value))} frames/s)${speedRuns(goalRow)}`,
      met(s.speed_x_realtime >= GOALS.analyzeSpeedX),
    ]);
  }
  if (r.accuracy) {
    const v = r.accuracy.value.verification;
    rows.push([`verification ≥ ${pct(GOALS.verificationAccuracy)} on master.csv`, `${pct(v.accuracyAtThreshold)} at the shipped threshold ${v.threshold}`, met(v.accuracyAtThreshold >= GOALS.verificationAccuracy)]);
    const g = r.accuracy.value.gender;
    const vg = r.videoGender?.value;
    const onVideo = vg ? `; video: ${pct(vg.correctEvents / vg.events)} of events (${vg.correctEvents}/${vg.events}), ${vg.correctTracks}/${vg.tracks} tracks` : '';
    rows.push(['gender accuracy on faces whose sex is known', `photos: ${pct(g.accuracy)} (${g.correct}/${g.faces} faces)${onVideo}`, 'measured (the issue sets no number)']);
  }
  if (r.kafka) rows.push(...kafkaGoalRows(r.kafka, GOALS.kafkaRecordsPerSecond));
  if (r.matcher) rows.push(matcherGoalRow(r.matcher) ?? matcherGoalUnmeasured(r.matcher));
  if (r.analytics) rows.push(analyticsGoalRow(r.analytics));
  if (r.api) rows.push(apiGoalRow(r.api), enrolmentGoalRow(r.api));
  if (r.cameraDensity) rows.push(cameraDensityGoalRow(r.cameraDensity));
  if (r.console) rows.push(consoleGoalRow(r.console));
  if (rows.length === 0) return '';
  return ['## Goals of the issue and what was measured', '', table(['goal', 'measured', 'verdict'], rows)].join('\n');
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

const spread = (xs: readonly number[]): Spread => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs) });
const showSpread = (s: Spread, digits: number) => (s.min === s.max ? num(s.median, digits) : `${num(s.median, digits)} (${num(s.min, digits)}–${num(s.max, digits)})`);

/** Embeddings/s per batch size across the repeated runs. */
function embeddingRows(runs: readonly Measured<LatencyReport>[]): (Spread & { batch: string })[] {
  const batches = Object.keys(runs[0]!.value.embeddingsPerSecond);
  return batches.map((batch) => ({ batch, ...spread(runs.map((run) => run.value.embeddingsPerSecond[batch] ?? 0)) }));
}

function latencySection(r: BenchResults): string {
  if (!r.latency?.length) return '';
  const runs = r.latency.map((run) => run.value);
  const first = runs[0]!;
  const threads = [...new Set(first.models.flatMap((m) => Object.keys(m.ms)))];
  const cell = (id: string, t: string) => {
    const xs = runs.map((run) => run.models.find((m) => m.id === id)?.ms[t]).filter((v): v is number => v !== undefined);
    return xs.length ? showSpread(spread(xs), 2) : '-';
  };
  return [
    '## Model latency',
    '',
    produced(r, 'latency', 'node bin/run-ts.js bench/model-latency.ts'),
    `Median time of single-face session calls after warm-up, one ONNX session at a time, pseudo-random pixels (bench/model-latency.ts). ` +
      `The bench ran ${runs.length} times in fresh processes: each cell is the median of the runs, with their range in brackets where they differ. ` +
      `Load from the rest of the machine during each run: ${r.latency.map((run) => num(run.otherCores, 2)).join(', ')} cores.`,
    '',
    table(
      ['role', 'model', 'input', ...threads.map((t) => `${t} thread${t === '1' ? '' : 's'} (ms)`)],
      first.models.map((m) => [m.role, m.id, m.input, ...threads.map((t) => cell(m.id, t))]),
    ),
    '',
    `Whole \`FaceModels.detect()\` on a 480×270 frame holding 2 faces (detector, landmarks, quality, appearance), 2 threads: ` +
      `**${showSpread(spread(runs.map((run) => run.detectFrameMs)), 2)} ms**. One appearance descriptor: ${showSpread(spread(runs.map((run) => run.appearanceMs)), 3)} ms.`,
    '',
    '### Embeddings per second',
    '',
    `Embedder session with 2 intra-op threads on ${first.cpus} cores, batches of pseudo-random 112×112 faces (median batch time), ${runs.length} runs.`,
    '',
    table(
      ['batch', 'faces/s, median of runs', 'each run', `goal ≥ ${GOALS.embeddingsPerSecond}`],
      embeddingRows(r.latency).map((e) => [e.batch, e.median, runs.map((run) => run.embeddingsPerSecond[e.batch] ?? '-').join(', '), met(e.median >= GOALS.embeddingsPerSecond)]),
    ),
  ].join('\n');
}

function accuracySection(r: BenchResults): string {
  if (!r.accuracy) return '';
  const a = r.accuracy.value;
  const v = a.verification;
  const s = (x: typeof v.sameSimilarity) => `${x.min} / ${x.p10} / ${x.median} / ${x.p90} / ${x.max}`;
  return [
    '## Verification and attributes',
    '',
    produced(r, 'accuracy', 'node bin/run-ts.js bench/accuracy.ts'),
    `Data: \`shared/data/faces/deepface\` (master.csv pairs; one embedding per photo, of its subject face). Took ${r.accuracy.wallS} s; other load ${num(r.accuracy.otherCores, 2)} cores.`,
    '',
    table(
      ['metric', 'value'],
      [
        ['pairs (same / different)', `${v.pairs} (${v.samePairs} / ${v.differentPairs})`],
        [`accuracy at the shipped threshold ${v.threshold}`, `**${pct(v.accuracyAtThreshold)}** (goal ≥ ${pct(GOALS.verificationAccuracy)}: ${met(v.accuracyAtThreshold >= GOALS.verificationAccuracy)})`],
        ['TAR at FAR ≤ 1 %', `${pct(v.tarAtFar1)} (threshold ${v.thresholdAtFar1})`],
        ['best accuracy and the thresholds giving it', `${pct(v.bestAccuracy)} on (${v.bestInterval[0]}, ${v.bestInterval[1]}]`],
        ['cosine, same person: min / p10 / median / p90 / max', s(v.sameSimilarity)],
        ['cosine, different people: min / p10 / median / p90 / max', s(v.differentSimilarity)],
      ],
    ),
    '',
    '### Gender and the unlabelled checks',
    '',
    'Gender labels were set by eye for the faces whose sex is clear (`bench/data/deepface-gender.json`); the other heads have no labels in the set, so only what can be checked without them is shown.',
    '',
    table(
      ['check', 'faces', 'result'],
      [
        [`gender (male when score > ${a.gender.threshold})`, a.gender.faces, `**${pct(a.gender.accuracy)}** right (${a.gender.correct}); wrong: ${a.gender.wrong.join(', ') || 'none'}`],
        ['age spread (years)', a.age.faces, `min ${a.age.min}, median ${a.age.median}, max ${a.age.max}; ${pct(a.age.shareIn30to45)} fall in 30–45`],
        ['liveness: real photos called real', a.liveness.faces, `${a.liveness.calledReal} (${pct(a.liveness.calledReal / a.liveness.faces)}); ${a.liveness.note}`],
        ['eyes: open eyes called open', a.eyes.faces, `${a.eyes.calledOpen} (${pct(a.eyes.calledOpen / a.eyes.faces)}); ${a.eyes.note}`],
        ['head pose: landmark estimate vs HopeNet, RMS difference', a.headpose.faces, `yaw ${a.headpose.rmsYawDiff}°, pitch ${a.headpose.rmsPitchDiff}°, roll ${a.headpose.rmsRollDiff}°`],
      ],
    ),
    ...videoGenderSection(r.videoGender?.value),
  ].join('\n');
}

function videoGenderSection(v: VideoGenderReport | undefined): string[] {
  if (!v) return [];
  return [
    '',
    '### Gender on video',
    '',
    'The shared clips whose people are known (`bench/data/video-people.json`, set by eye), analysed with the default configuration (`node bin/run-ts.js bench/video-gender.ts`). Each event is a posted best shot; a track counts as right when most of its events are. Video faces here are 60–90 px and often turned, unlike the photos above.',
    '',
    table(
      ['clip', 'events right', 'tracks right'],
      [
        ...v.clips.map((c) => [c.clip, `${c.correctEvents}/${c.events}`, `${c.correctTracks}/${c.tracks}`]),
        ['**all**', `**${pct(v.correctEvents / v.events)}** (${v.correctEvents}/${v.events})`, `${v.correctTracks}/${v.tracks}`],
      ],
    ),
  ];
}

function speedSection(r: BenchResults): string {
  if (!r.speed) return '';
  const { input, rows } = r.speed;
  return [
    '## `analyze` throughput on 720p 25 fps',
    '',
    produced(r, 'speed', 'node bin/run-ts.js bench/analyze-speed.ts'),
    `Input: ${input.seconds} s of \`${input.path.split('/').pop()}\`, made once (cached in \`~/.cache/facestream/bench/\`) with Debian's ffmpeg by looping the shared clip \`${input.sourceClip}\` (Intel IoT Devkit sample videos, CC BY 4.0; written to a temporary name, then renamed):`,
    '',
    '```',
    input.command,
    '```',
    '',
    `Each row is one \`facestream analyze\` of that file in a child process of its own (default configuration, no watch list, attribute heads on: ${rows[0]?.run.value.attributes.join(', ') || 'none'}), ` +
      'elapsed time from the first frame to the last (model loading excluded). "Cores used" is the CPU time of the whole run over its wall time; ' +
      '"other load" is what the rest of the machine used meanwhile (from /proc/stat): anything above ~0.1 means the row was slowed by someone else.',
    '',
    table(
      ['configuration', 'flags', 'frames analysed', 'faces', 'tracks', 'elapsed (s)', 'frames/s', '× real time', 'cores used', 'other load (cores)', 'peak RSS (MiB)'],
      rows.map((row) => {
        const s = row.run.value.summary;
        return [row.name, row.flags, s.frames, s.faces, s.tracks, s.elapsed_s, num(fpsOf(row.run.value)), `**${s.speed_x_realtime}×**${speedRuns(row)}`, num(coresOf(row.run), 2), num(row.run.otherCores, 2), row.run.peakRssMb];
      }),
    ),
    '',
    `Goal: ≥ ${GOALS.analyzeSpeedX}× real time for the first row (every frame of 720p 25 fps). A row that ran more than once shows its median run, with every run's speed in brackets (in the order they ran).`,
  ].join('\n');
}

function clipsSection(r: BenchResults): string {
  if (!r.clips) return '';
  return [
    '## `analyze` on the shared clips, native size',
    '',
    produced(r, 'clips'),
    'Each clip of `shared/data/video/` as it is (480×270), every frame, default configuration, one child process per clip. The clips are 2–5 s long, so fixed per-run costs weigh more than on the 60 s input.',
    '',
    table(
      ['clip', 'size', 'source fps', 'duration (s)', 'frames', 'faces', 'tracks', 'frames/s analysed', '× real time', 'other load (cores)', 'peak RSS (MiB)'],
      r.clips.map((c) => {
        const { source: src, summary: s } = c.run.value;
        return [c.clip, `${src.width}×${src.height}`, src.fps, num(src.duration_s, 2), s.frames, s.faces, s.tracks, num(fpsOf(c.run.value)), `${s.speed_x_realtime}×`, num(c.run.otherCores, 2), c.run.peakRssMb];
      }),
    ),
  ].join('\n');
}

function memorySection(r: BenchResults): string {
  const rows: (string | number)[][] = [['Node + tsx, nothing loaded', r.baseline.peakRssMb]];
  if (r.latency?.length) rows.push([`model latency (${r.latency[0]!.value.models.length} models, one session at a time), largest of ${r.latency.length} runs`, Math.max(...r.latency.map((run) => run.peakRssMb))]);
  if (r.accuracy) rows.push(['accuracy (all heads loaded, the deepface photos)', r.accuracy.peakRssMb]);
  for (const row of r.speed?.rows ?? []) rows.push([`analyze: ${row.name}`, row.run.peakRssMb]);
  if (r.clips?.length) rows.push(['analyze: largest of the shared clips', Math.max(...r.clips.map((c) => c.run.peakRssMb))]);
  if (r.kafka) rows.push(...kafkaMemoryRows(r.kafka));
  if (r.analytics) rows.push([`analytics: chdb with ${r.analytics.dataset.rows.toLocaleString('en')} face events, the queries`, r.analytics.peakRssMb]);
  if (r.api) rows.push([`API under load: the facestream serve process (${r.api.dataset.rows.toLocaleString('en')} events)`, r.api.server.peakRssMb]);
  return [
    '## Peak memory',
    '',
    'Peak resident set size (`process.resourceUsage().maxRSS`) of each child process; every task runs in its own process, so each figure is that task\'s alone (bench/memory.ts).',
    '',
    table(['task', 'peak RSS (MiB)'], rows),
  ].join('\n');
}

/** the run's start and commit, for sections that `--into` may put into a file of another run */
const when = (r: BenchResults) => `from ${r.started} at commit ${r.machine.gitCommit} on ${r.machine.cpuModel}, ${r.machine.cores} cores, 1-min load average ${r.machine.loadAtStart} at start`;

export function renderMarkdown(r: BenchResults): string {
  const sections = [
    '# Benchmarks',
    '',
    `Generated by \`${r.command}\` (bench/run.ts) — do not edit by hand, run it again. Every figure below was measured in that run, on the machine described here; ` +
      'the goals are quoted from the issue. Wall-clock figures on a shared 2-core machine vary from run to run: the "other load" figures say how much ' +
      'CPU the rest of the machine took during each measurement (the 1-minute load average lags and also counts the bench itself).',
    machineSection(r),
    goalsSection(r),
    latencySection(r),
    accuracySection(r),
    speedSection(r),
    clipsSection(r),
    ...(r.kafka ? kafkaSections(r.kafka, GOALS.kafkaRecordsPerSecond, `${produced(r, 'kafka', 'node bin/run-ts.js bench/kafka.ts')} Measured ${when(r)}.`) : []),
    r.matcher ? matcherSection(r.matcher, produced(r, 'matcher', 'node bin/run-ts.js bench/matcher-sizes.ts'), when(r)) : '',
    r.analytics ? analyticsSection(r.analytics, produced(r, 'analytics', 'node bin/run-ts.js bench/analytics.ts'), when(r)) : '',
    r.api ? apiSection(r.api, produced(r, 'api', 'node bin/run-ts.js bench/api-load.ts'), when(r)) : '',
    r.cameraDensity ? cameraDensitySection(r.cameraDensity, produced(r, 'camera-density', 'node bin/run-ts.js bench/camera-density.ts'), when(r)) : '',
    r.console ? consoleSection(r.console, produced(r, 'console', 'node bin/run-ts.js bench/console.ts'), when(r)) : '',
    memorySection(r),
  ];
  return `${sections.filter((s) => s !== '').join('\n\n')}\n`;
}

/** Sections a partial run may put into a full file (`--into`): its own and its goals rows, never the machine or memory tables. */
const GOALS_TITLE = '## Goals of the issue and what was measured';
const SHARED_SECTIONS = new Set(['## Machine', GOALS_TITLE, '## Peak memory']);

/** The goals table `existing` with each row of `partial`'s in place of the row of the same goal, or added at its end. */
function mergeGoalRows(existing: string, partial: string): string {
  const isRow = (l: string) => l.startsWith('| ') && !l.startsWith('| goal |') && !l.startsWith('| --- |');
  const goal = (row: string) => row.split(' | ')[0];
  const lines = existing.split('\n');
  for (const row of partial.split('\n').filter(isRow)) {
    const at = lines.findIndex((l) => isRow(l) && goal(l) === goal(row));
    if (at >= 0) lines[at] = row;
    else lines.splice(lines.findLastIndex((l) => l.startsWith('|')) + 1, 0, row);
  }
  return lines.join('\n');
}

/**
 * `existing` with each "## " section of `partial` put in place of the section of the same title (or before
 * "## Peak memory" when it has none), the rest of the file as it was. Pure.
 */
export function spliceSections(existing: string, partial: string): string {
  const split = (md: string) => md.split(/\n(?=## )/);
  const title = (section: string) => section.split('\n')[0]!.trim();
  const parts = split(existing);
  for (const section of split(partial).slice(1)) {
    // the goals table keeps every part's rows: only this run's own are replaced
    const goals = parts.findIndex((p) => title(p) === GOALS_TITLE);
    if (title(section) === GOALS_TITLE && goals >= 0) parts[goals] = mergeGoalRows(parts[goals]!, section);
    if (SHARED_SECTIONS.has(title(section))) continue;
    const body = section.trimEnd();
    const at = parts.findIndex((p) => title(p) === title(section));
    if (at >= 0) parts[at] = parts[at]!.endsWith('\n') ? `${body}\n` : body;
    else {
      const memory = parts.findIndex((p) => title(p) === '## Peak memory');
      parts.splice(memory >= 0 ? memory : parts.length, 0, `${body}\n`);
    }
  }
  return parts.join('\n');
}
