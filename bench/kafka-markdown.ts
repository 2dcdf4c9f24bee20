// The Kafka part of docs/BENCHMARKS.md (bench/write-markdown.ts calls these). Pure: every figure comes from the
// results passed in; the goal is passed in from write-markdown.ts's GOALS.
import type { StageRunResult } from './kafka-child.ts';
import { percentiles, type E2eRun, type Percentiles } from './kafka-e2e.ts';
import type { KafkaResults } from './kafka.ts';

const num = (v: number, digits = 1) => v.toFixed(digits);
const int = (v: number) => Math.round(v).toLocaleString('en-US');
const met = (ok: boolean) => (ok ? 'met' : '**not met**');
const kib = (bytes: number) => `${num(bytes / 1024, bytes < 10 * 1024 ? 2 : 1)} KiB`;

function table(head: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const line = (cells: readonly (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

const mode = (r: StageRunResult) => (r.exactlyOnce ? 'exactly-once' : 'at-least-once');
const stageName = (r: StageRunResult) => (r.variant ? `${r.stage} (${r.variant})` : r.stage);
const pq = (p: Percentiles | null) => (p ? `${int(p.p50)} / ${int(p.p95)}` : '-');
const runName = (e: E2eRun) => `${e.topology}, ${e.imageFormat.toUpperCase()}, ${e.cameras.length} camera${e.cameras.length === 1 ? '' : 's'}`;
/** p50 latency of the first and of the last events handed on: steady if alike, a growing backlog if not */
const trend = (e: E2eRun) => {
  const n = Math.min(10, Math.floor(e.series.length / 2));
  if (n === 0) return '-';
  const p50 = (xs: ReadonlyArray<readonly [number, number, number | null]>) => percentiles(xs.map((x) => x[1]))?.p50 ?? 0;
  return `${int(p50(e.series.slice(0, n)))} → ${int(p50(e.series.slice(-n)))}`;
};
/** µs of wall time per input record in the Kafka run */
const wallUs = (r: StageRunResult) => (r.seconds * 1e6) / r.records;
const perTxn = (r: StageRunResult) => (r.transactions > 0 ? r.totalRecords / r.transactions : 0);

/** Rows for the goals table. */
export function kafkaGoalRows(k: KafkaResults, goal: number): string[][] {
  const rows: string[][] = [];
  const gated = k.stages.filter((s) => (s.stage === 'match' || s.stage === 'episodes') && !s.variant);
  if (gated.length > 0) {
    rows.push([
      `records/s ≥ ${int(goal)} per process through match and episodes over Kafka, real embeddings replayed`,
      gated.map((s) => `${s.stage} ${mode(s)}: ${int(s.recordsPerS)}/s`).join('; '),
      met(gated.every((s) => s.recordsPerS >= goal)),
    ]);
  }
  const dist = k.e2e.find((e) => e.topology === 'distributed' && e.imageFormat === 'jpeg');
  const edge = k.e2e.find((e) => e.topology === 'edge');
  if (dist || edge) {
    const single = k.e2e.find((e) => e.topology === 'distributed' && e.cameras.length === 1 && e !== dist);
    rows.push([
      'end-to-end latency frame → event, p50/p95, concurrent clips',
      [dist, edge, single].filter((e): e is E2eRun => e !== undefined).map((e) => `${runName(e)}: ${pq(e.latencyMs)} ms`).join('; '),
      'measured (the issue sets no number)',
    ]);
  }
  if (dist) {
    const total = dist.topics.filter((t) => t.topic !== 'dead-letter').reduce((s, t) => s + t.bytesPerCameraS, 0);
    rows.push(['Kafka bytes per camera-second', `distributed, JPEG: ${kib(total)}/camera-s over all topics (frames ${kib(dist.topics.find((t) => t.topic === 'frames')?.bytesPerCameraS ?? 0)})`, 'measured (the issue sets no number)']);
  }
  return rows;
}

function throughputSection(k: KafkaResults, goal: number, produced: string): string {
  const d = k.replays.detections;
  const e = k.replays.embeddings;
  const inputOf = (s: StageRunResult) => (s.stage === 'track' ? `${int(d.records)} detections, ${d.cameras} cameras` : s.stage === 'match' ? `${int(e.records)} embeddings, ${e.cameras} cameras` : `${int(s.records)} events of the exactly-once match run`);
  const short = k.stages.filter((s) => s.seconds < 10);
  return [
    '## Kafka: records/s through the non-model stages',
    '',
    produced,
    `Broker: Apache Kafka ${k.broker.kafka}, JVM ${k.broker.jvm}, on the same cores as the stage; kafkajs ${k.broker.kafkajs}; facestream's schema registry. ` +
      'Each row is ONE `KafkaStageRunner` (the runtime `facestream stage` runs) in a child process of its own, reading a topic of 4 partitions that was filled beforehand, ' +
      'timed from the moment its consumer group is joined until the group\'s committed offsets reach the end of the input (bench/kafka-child.ts). ' +
      `Inputs are real records replayed (bench/kafka-replay.ts): the ${d.seedRecords} detections (with their frame JPEGs) and ${e.seedRecords} embeddings (with their vectors and attributes; a post's face crop travels only on the faces topic) ` +
      `that a distributed run over ${k.clips.length} shared clips left on Kafka, copied onto many cameras, ${k.concurrentCameras} cameras live at a time, each track renamed so every event is distinct, each camera ending with an end-of-stream marker. ` +
      `The match index holds ${k.watchlist.enrolled} faces enrolled from ${k.watchlist.source} (${k.watchlist.rejected} photos refused by enrolment). ` +
      'Before the recorded runs, one unrecorded exactly-once run of match warms the just-started broker up (its JVM compiles the fetch and transaction paths as it goes; a broker in service has). ' +
      'Episodes read what the exactly-once match run wrote. The runner\'s own defaults hold: a commit covers ~`kafka.commit_interval_ms` (100 ms) of processing at the measured pace, at most `kafka.max_batch_records`, with fetches of up to `kafka.fetch_max_bytes_per_partition`. ' +
      '"Cores" are CPU seconds over the window; "other load" is the rest of the machine (/proc/stat) less the stage and the broker.',
    '',
    table(
      ['stage', 'delivery', 'input', 'records/s', `goal ≥ ${int(goal)}`, 'seconds', 'records per commit', 'stage cores', 'broker cores', 'other load (cores)', '1-min load', 'peak RSS (MiB)'],
      k.stages.map((s) => [
        stageName(s),
        mode(s),
        inputOf(s),
        `**${int(s.recordsPerS)}**`,
        s.stage === 'track' || s.variant ? '-' : met(s.recordsPerS >= goal),
        num(s.seconds, 1),
        num(perTxn(s), 0),
        num(s.stageCores, 2),
        num(s.brokerCores, 2),
        num(s.otherCores, 2),
        num(s.loadAverage, 2),
        s.peakRssMb,
      ]),
    ),
    ...(short.length > 0 ? ['', `Runs shorter than 10 s (${short.map((s) => `${s.stage} ${mode(s)}`).join(', ')}): raise \`--kafka-records\` for steadier figures.`] : []),
    '',
    '### Where a record\'s time goes',
    '',
    'Left: the same steps as the runner, done in process without Kafka on the first records of partition 0 after each run, in chunks of the size the run\'s commits had (µs per input record). ' +
      'Right: the Kafka run itself, per input record, from the runner\'s own metrics — time in commits (producing the outputs, state and offsets: one transaction when exactly-once) and in `stage.process()`.',
    '',
    table(
      ['stage', 'delivery', 'Avro decode', 'pixels/arrays from wire', 'process()', 'encode outputs', 'state', 'in-process sum (→ records/s)', 'Kafka run: wall per record', 'of which commits', 'input / output record', 'state per commit'],
      k.stages.map((s) => {
        const p = s.profile;
        const sum = p ? p.avroDecodeUs + p.fromWireUs + p.processUs + p.encodeUs + p.stateUs : 0;
        return [
          stageName(s),
          mode(s),
          p ? `${p.avroDecodeUs} µs` : '-',
          p ? `${p.fromWireUs} µs` : '-',
          p ? `${p.processUs} µs` : '-',
          p ? `${p.encodeUs} µs` : '-',
          p ? `${p.stateUs} µs` : '-',
          p ? `${sum} µs (${int(1e6 / Math.max(1, sum))}/s)` : '-',
          `${int(wallUs(s))} µs`,
          `${int((s.commitS * 1e6) / s.records)} µs (${num((s.commitS / s.seconds) * 100, 0)} %)`,
          p ? `${kib(p.inputBytes)} / ${kib(p.outputBytes)}` : '-',
          p && p.stateBytesPerCommit > 0 ? `${kib(p.stateBytesPerCommit)} (largest record ${kib(p.stateRecordMaxBytes)})` : '-',
        ];
      }),
    ),
    ...cpuSection(k),
  ].join('\n');
}

function cpuSection(k: KafkaResults): string[] {
  if (k.cpuProfiles.length === 0) return [];
  const groups = [...new Set(k.cpuProfiles.flatMap((p) => p.shares.map((x) => x.group)))];
  const share = (p: KafkaResults['cpuProfiles'][number], g: string) => {
    const x = p.shares.find((y) => y.group === g);
    return x ? `${num(x.share * 100, 1)} %` : '-';
  };
  return [
    '',
    'The same stages once more (exactly-once, same input, a separate run) under V8\'s sampling profiler: where the stage process\'s time went over its window, by what the code belongs to (self time; bench/kafka-cpu-profile.ts). ' +
      '"idle" is the main thread waiting (for the broker: fetches, acknowledgements, transaction round trips); everything else is CPU on the main thread.',
    '',
    table(
      ['', ...k.cpuProfiles.map((p) => `${p.stage} exactly-once (${int(p.recordsPerS)}/s while profiled)`)],
      groups.map((g) => [g, ...k.cpuProfiles.map((p) => share(p, g))]),
    ),
  ];
}

function latencySection(k: KafkaResults, produced: string): string {
  if (k.e2e.length === 0) return '';
  const first = k.e2e[0]!;
  const dist = k.e2e.find((e) => e.anchor === 'frames records');
  const hopNames = [...new Set(k.e2e.flatMap((e) => e.hopsMs.map((h) => `${h.from} → ${h.to}`)))];
  return [
    '## Kafka: end-to-end latency frame → event',
    '',
    produced,
    `Each row is one \`facestream up --topology <t> --until-done\` (every process a supervised child, as a user runs it) with ${first.cameras.length} cameras at once (the row with one camera: the first of them alone): ` +
      `${first.cameras.map((c) => `\`${c.clip}\``).join(', ')}, each looped to ~${Math.round(first.cameras[0]!.seconds)} s by stream copy (no re-encode; ${k.clips[0]?.command.replace(/ \S+$/, ' …') ?? ''}) ` +
      'and replayed at its own pace (`ingest.realtime: true`), with the watch list above. ' +
      'Latency of an event = the timestamp of its record on `matches` − the time its best-shot frame was handed on; record timestamps are CreateTime, set by the producing process on this machine\'s clock. ' +
      `A frame's own \`ts\` cannot stand in for the time it was handed on: \`up\` dates every file from its own start time, and ingest starts handing frames on only when its process is up${dist?.tsOffsetS !== null && dist?.tsOffsetS !== undefined ? ` (${num(dist.tsOffsetS, 1)} s later on average in the distributed run)` : ''}. ` +
      'So the hand-on time is the timestamp of the frame\'s record on `frames` (distributed), or, where frames never reach Kafka (edge), the ingest process\'s "ingest source finished" log line less the last frame\'s t_s' +
      `${dist?.anchorCheckMs?.sourceFinished !== null && dist?.anchorCheckMs?.sourceFinished !== undefined ? ` (checked in the distributed run against the frames records: off by ${dist.anchorCheckMs.sourceFinished} ms on average)` : ''}. ` +
      'Events whose frame was handed on before every consuming stage had joined its group, plus a warm-up, are left out of the main columns (start-up backlog), but counted in "all events". ' +
      '"First → last" is the p50 latency of the first 10 and of the last 10 events handed on: alike when the stages keep up, growing when the machine is short of CPU and a backlog builds while the clips play. ' +
      '"Newest frame" measures from the frame that closed the best-shot window (the track\'s newest frame when it posted): the pipeline alone, without the wait for a better shot.',
    '',
    table(
      ['topology, pixels, cameras', 'events (after warm-up)', 'frame → event p50 / p95 (ms)', 'first → last (ms)', 'newest frame → event p50 / p95 (ms)', 'all events p50 / p95 (ms)', 'every stage joined after', 'up wall time', '1-min load start / end'],
      k.e2e.map((e) => [
        runName(e),
        `${e.events} (${e.latencyMs?.n ?? 0})`,
        `**${pq(e.latencyMs)}**`,
        trend(e),
        pq(e.pipelineLatencyMs),
        pq(e.allEventsLatencyMs),
        `${num(e.readyS, 1)} s + ${e.warmupS} s warm-up`,
        `${num(e.wallS, 1)} s`,
        `${e.loadAtStart} / ${e.loadAtEnd}`,
      ]),
    ),
    '',
    'Where it goes: for each hop, the timestamp of a record less that of the record it came from (frames → detections by frame; detections → faces from the frame that closed the post; then by post, and by event), after the warm-up, p50 / p95 in ms.',
    '',
    table(
      ['topology, pixels, cameras', ...hopNames],
      k.e2e.map((e) => [runName(e), ...hopNames.map((h) => pq(e.hopsMs.find((x) => `${x.from} → ${x.to}` === h) ?? null))]),
    ),
  ].join('\n');
}

function bytesSection(k: KafkaResults, produced: string): string {
  if (k.e2e.length === 0) return '';
  const topics = [...new Set(k.e2e.flatMap((e) => e.topics.map((t) => t.topic)))];
  const cell = (e: E2eRun, topic: string) => {
    const t = e.topics.find((x) => x.topic === topic);
    return t ? `${kib(t.bytesPerCameraS)} (${num(t.records / e.cameraSeconds, 2)} rec)` : 'in process';
  };
  const state = [...new Set(k.e2e.flatMap((e) => Object.keys(e.stateRecordMaxBytes)))];
  return [
    '## Kafka bytes per camera-second',
    '',
    produced,
    'The same runs: every record each topic holds (key + value + header bytes, as produced; the broker\'s log adds batch headers), over the total camera-seconds of video ' +
      `(${k.e2e.map((e) => `${runName(e)}: ${num(e.cameraSeconds, 1)}`).join('; ')}). In brackets: records per camera-second. ` +
      'PNG is lossless (the equivalence tests use it); JPEG is the default (`kafka.image_format`).',
    '',
    table(['topic', ...k.e2e.map(runName)], [
      ...topics.map((t) => [`\`${t}\``, ...k.e2e.map((e) => cell(e, t))]),
      ['**all topics**', ...k.e2e.map((e) => `**${kib(e.topics.filter((t) => t.topic !== 'dead-letter').reduce((s, t) => s + t.bytesPerCameraS, 0))}**`)],
    ]),
    ...(state.length > 0
      ? [
          '',
          `Largest record each stateful stage wrote to its state topic: ${k.e2e.map((e) => `${runName(e)}: ${Object.entries(e.stateRecordMaxBytes).map(([s, b]) => `${s} ${kib(b)}`).join(', ')}`).join('; ')}. ` +
            'The broker refuses records over 1 MiB by default (`max.message.bytes`); the bench creates the state topics with a 16 MiB limit so that the runs finish.',
        ]
      : []),
  ].join('\n');
}

/** The Kafka sections of docs/BENCHMARKS.md. */
export function kafkaSections(k: KafkaResults, goal: number, produced: string): string[] {
  return [latencySection(k, produced), throughputSection(k, goal, produced), bytesSection(k, produced)].filter((s) => s !== '');
}

/** Rows for the peak-memory table. */
export function kafkaMemoryRows(k: KafkaResults): Array<[string, number]> {
  return k.stages.map((s) => [`Kafka ${stageName(s)} stage process, ${mode(s)} (VmHWM)`, s.peakRssMb]);
}
