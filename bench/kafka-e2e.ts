// End-to-end latency frame → event and Kafka bytes per camera-second, measured on whole `facestream up` runs
// (every process a supervised child, as a user runs it) with several cameras replayed at their own pace
// (ingest.realtime), on the bench's broker and registry.
//
// Clocks. A file's frames are dated `ts` from up's start time, but ingest hands frame t_s on at its own start
// + t_s, seconds later (the child's start-up): `ts` is not the time a frame was handed on, so it cannot be
// subtracted from the event's time. The frame's hand-on time is taken instead from
//   distributed: the `frames` record of the same camera + seq (its timestamp, set by the ingest process's
//                producer when it sent the frame, on the same machine clock as the `matches` records);
//   edge:        no `frames` topic (frames stay in the edge process). Ingest hands frame t_s on at start + t_s,
//                so the start is estimated from its "ingest source finished" log line (logged right after the
//                last frame was handed on) less the last frame's t_s (from ffprobe). The same estimate, and
//                the earlier "metrics served" line, are checked against the frames records in the distributed
//                run (`anchorCheckMs`).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Kafka } from 'kafkajs';
import { pino } from 'pino';
import { up } from '../cli/up.ts';
import type { EpisodeChange, FaceEmbedding, FaceEvent, FacePost, Frame, FrameDetections } from '../schemas/generated/avro-types.ts';
import { createTopicSerde } from '../schemas/serde/topic-serde.ts';
import { TOPICS, type Topic } from '../topologies/names.ts';
import { TOPOLOGIES } from '../topologies/registry.ts';
import { kafkaTopicsWritten } from '../topologies/plan.ts';
import { cacheDir, VIDEO_DIR } from './analyze-speed.ts';
import { oneMinuteLoad } from './machine.ts';
import { readTopic, recordBytes, STATE_RECORD_LIMIT, type RawRecord } from './kafka-topics.ts';
import { STAGES } from '../pipelines/registry.ts';
import { controlOf } from '../pipelines/runtime/kafka/control.ts';
import { kafkaNames } from '../pipelines/runtime/kafka/names.ts';
import { ensureTopics, stateTopicConfig } from '../pipelines/runtime/kafka/topics.ts';

export interface LoopedClip {
  readonly camera: string;
  /** the shared clip it was made from */
  readonly clip: string;
  readonly path: string;
  readonly seconds: number;
  /** t_s of the last frame (pts of the last packet less the first's) */
  readonly lastFrameS: number;
  readonly command: string;
}

export interface Percentiles {
  readonly n: number;
  readonly p50: number;
  readonly p95: number;
  readonly max: number;
}

export interface TopicBytes {
  readonly topic: Topic | 'dead-letter';
  readonly records: number;
  readonly bytes: number;
  readonly bytesPerCameraS: number;
}

export interface E2eRun {
  readonly topology: 'distributed' | 'edge';
  readonly imageFormat: 'jpeg' | 'png';
  readonly cameras: ReadonlyArray<{ readonly camera: string; readonly clip: string; readonly seconds: number }>;
  readonly cameraSeconds: number;
  /** up() from call to return */
  readonly wallS: number;
  /** from up() to the moment every Kafka-consuming stage had its partitions (frames before it wait for the last one) */
  readonly readyS: number;
  /** events whose frame was handed on earlier than readyS + this are left out (start-up backlog) */
  readonly warmupS: number;
  readonly events: number;
  /** best-shot frame → event on `matches`, ms, over the events after the warm-up */
  readonly latencyMs: Percentiles | null;
  /** the track's newest frame when it posted (the frame that closed the best-shot window) → event, ms */
  readonly pipelineLatencyMs: Percentiles | null;
  /** the same over every event, warm-up included */
  readonly allEventsLatencyMs: Percentiles | null;
  /**
   * Where the time goes between topics, after the warm-up: for each hop, the record's timestamp on the later topic
   * less that of the record it came from (frames → detections by frame; detections → faces from the frame that
   * made the post; then by post), ms
   */
  readonly hopsMs: ReadonlyArray<{ readonly from: Topic; readonly to: Topic } & Percentiles>;
  /** every event: when its best-shot frame was handed on (s after up() was called) and its latency (ms) */
  readonly series: ReadonlyArray<readonly [handedOnS: number, latencyMs: number, pipelineMs: number | null]>;
  readonly anchor: 'frames records' | 'log line − t_s';
  /** distributed: hand-on − ts (how far ts is from the time a frame was handed on), mean over frames, s */
  readonly tsOffsetS: number | null;
  /**
   * distributed: the ingest start as the frames records show it less each log-line estimate, mean over cameras, ms
   * (positive: the estimate is early and overstates latency by that much)
   */
  readonly anchorCheckMs: { readonly metricsServed: number | null; readonly sourceFinished: number | null } | null;
  readonly topics: readonly TopicBytes[];
  /** largest record each stateful stage wrote to its state topic (the broker's default limit is 1 MiB) */
  readonly stateRecordMaxBytes: Readonly<Record<string, number>>;
  readonly loadAtStart: number;
  readonly loadAtEnd: number;
}

// ---------------------------------------------------------------------------------------------------------------

function probeDurationS(file: string): number {
  const out = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file], { encoding: 'utf8' });
  const d = Number(out.trim());
  if (!Number.isFinite(d) || d <= 0) throw new Error(`ffprobe: no duration for ${file}`);
  return d;
}

/**
 * A shared clip looped to about `seconds` (stream copy, no re-encode: the same pixels), cached beside the other
 * bench inputs. The clips are 2–5 s long: too short to get past the topology's start-up.
 */
export function loopedClip(clip: string, camera: string, seconds: number): LoopedClip {
  const src = join(VIDEO_DIR, clip);
  const loops = Math.max(0, Math.ceil(seconds / probeDurationS(src)) - 1);
  const dir = cacheDir();
  const out = join(dir, `${basename(clip, '.mp4')}-loop-${seconds}s.mp4`);
  const args = ['-v', 'error', '-y', '-stream_loop', `${loops}`, '-i', src, '-t', `${seconds}`, '-c', 'copy', '-an', out];
  const command = `ffmpeg ${args.map((a) => (a === src ? `shared/data/video/${clip}` : a === out ? `~/.cache/facestream/bench/${basename(out)}` : a)).join(' ')}`;
  const stamp = `${out}.command.txt`;
  if (!(existsSync(out) && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === command)) {
    mkdirSync(dir, { recursive: true });
    const tmp = `${out}.tmp.mp4`;
    execFileSync('ffmpeg', [...args.slice(0, -1), tmp], { stdio: ['ignore', 'inherit', 'inherit'] });
    renameSync(tmp, out);
    writeFileSync(stamp, `${command}\n`);
  }
  const pts = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', out], { encoding: 'utf8' })
    .split('\n')
    .map(Number)
    .filter((v) => Number.isFinite(v) && v >= 0);
  const lastFrameS = pts.length > 0 ? Math.max(...pts) - Math.min(...pts) : 0;
  return { camera, clip, path: out, seconds: Math.round(probeDurationS(out) * 1000) / 1000, lastFrameS, command };
}

export function percentiles(xs: readonly number[]): Percentiles | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const rank = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]!;
  return { n: s.length, p50: Math.round(rank(0.5)), p95: Math.round(rank(0.95)), max: Math.round(s[s.length - 1]!) };
}

/** First time (the child's own pino `time`) each child logged a line whose msg is `msg`. */
class LogTimes {
  private readonly seen = new Map<string, number>();

  add(child: string, line: string): void {
    if (!line.startsWith('{')) return;
    try {
      const { msg, time } = JSON.parse(line) as { msg?: unknown; time?: unknown };
      if (typeof msg !== 'string' || typeof time !== 'number') return;
      const key = `${child}\u0000${msg}`;
      if (!this.seen.has(key)) this.seen.set(key, time);
    } catch {
      // not a log line
    }
  }

  first(child: string, msg: string): number | undefined {
    return this.seen.get(`${child}\u0000${msg}`);
  }
}

const frameKey = (camera: string, at: number) => `${camera}\u0000${at}`;
const isData = (r: RawRecord) => r.value !== null && controlOf(r.headers) === null;

export interface E2eOptions {
  readonly brokers: readonly string[];
  readonly registryUrl: string;
  readonly kafka: Kafka;
  readonly topology: 'distributed' | 'edge';
  readonly imageFormat: 'jpeg' | 'png';
  readonly sources: readonly LoopedClip[];
  readonly watchlist: string;
  readonly warmupS: number;
  /** the run is stopped and reported as failed after this long (a child failing in a loop never finishes) */
  readonly timeoutS: number;
  readonly log: (line: string) => void;
}

/** One up() run; returns its figures and every record it left on Kafka (the throughput bench replays them). */
export async function measureEndToEnd(opts: E2eOptions): Promise<{ run: E2eRun; records: Map<Topic, RawRecord[]> }> {
  const spec = TOPOLOGIES[opts.topology]!;
  const prefix = `bench-${opts.topology}-${opts.imageFormat}-${Date.now().toString(36)}.`;
  const dir = await mkdtemp(join(tmpdir(), 'facestream-bench-up-'));
  const configFile = join(dir, 'config.json');
  await writeFile(configFile, JSON.stringify({ ingest: { realtime: true }, kafka: { image_format: opts.imageFormat } }));
  // State topics made beforehand with a larger record limit than the broker's 1 MiB default: the track stage's
  // state holds raw RGB crops of its best-shot candidates, and with large faces one camera's state record
  // outgrows 1 MiB (the stage then fails on every commit, RecordTooLarge, and up restarts it for ever).
  // The largest state record of the run is reported (stateRecordMaxBytes).
  const names = kafkaNames(prefix);
  const stateful = spec.processes.filter((p) => !p.stages.includes('ingest')).flatMap((p) => p.stages).filter((s) => STAGES[s].stores.length > 0);
  const admin = opts.kafka.admin();
  await admin.connect();
  try {
    await ensureTopics(
      admin,
      stateful.map((stage) => {
        const t = stateTopicConfig(names, stage);
        return { ...t, configEntries: [...(t.configEntries ?? []), { name: 'max.message.bytes', value: String(STATE_RECORD_LIMIT) }] };
      }),
    );
  } finally {
    await admin.disconnect();
  }
  const times = new LogTimes();
  const tail: string[] = [];
  const loadAtStart = oneMinuteLoad();
  const t0 = Date.now();
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), opts.timeoutS * 1000);
  const code = await up({
    topology: opts.topology,
    sources: opts.sources.map((s) => ({ camera: s.camera, url: s.path })),
    watchlist: opts.watchlist,
    config: configFile,
    untilDone: true,
    handleSignals: false,
    logLevel: 'warn',
    env: { ...process.env, KAFKA_BROKERS: opts.brokers.join(','), SCHEMA_REGISTRY_URL: opts.registryUrl, FACESTREAM_TOPIC_PREFIX: prefix },
    cwd: dir,
    print: (l) => tail.push(l),
    output: (l) => {
      times.add(l.name, l.line);
      tail.push(`[${l.name}] ${l.line}`);
      if (tail.length > 200) tail.splice(0, tail.length - 200);
    },
  }, abort.signal).finally(() => {
    clearTimeout(timer);
    rmSync(dir, { recursive: true, force: true });
  });
  const wallS = (Date.now() - t0) / 1000;
  const loadAtEnd = oneMinuteLoad();
  if (code !== 0 || abort.signal.aborted) {
    throw new Error(`up --topology ${opts.topology} ${abort.signal.aborted ? `did not finish in ${opts.timeoutS} s` : `exited ${code}`}:\n${tail.slice(-40).join('\n')}`);
  }

  // topics a stage of the run writes (edge declares `counters` on Kafka but runs no counters stage: no such topic)
  const kafkaTopics = kafkaTopicsWritten(spec);
  const records = new Map<Topic, RawRecord[]>();
  for (const t of kafkaTopics) records.set(t, await readTopic(opts.kafka, `${prefix}${TOPICS[t]}`));
  const deadLetters = await readTopic(opts.kafka, `${prefix}dead-letter`).catch(() => []);
  const cameraSeconds = opts.sources.reduce((s, c) => s + c.seconds, 0);
  const topics: TopicBytes[] = [...records].map(([topic, rs]) => {
    const bytes = rs.reduce((s, r) => s + recordBytes(r), 0);
    return { topic, records: rs.filter(isData).length, bytes, bytesPerCameraS: Math.round(bytes / cameraSeconds) };
  });
  const stateRecordMaxBytes: Record<string, number> = {};
  for (const stage of stateful) {
    const rs = await readTopic(opts.kafka, names.stateTopic(stage));
    if (rs.length > 0) stateRecordMaxBytes[stage] = Math.max(...rs.map(recordBytes));
  }
  if (deadLetters.length > 0) topics.push({ topic: 'dead-letter', records: deadLetters.length, bytes: deadLetters.reduce((s, r) => s + recordBytes(r), 0), bytesPerCameraS: 0 });

  // every Kafka-consuming process has joined its group
  const consumers = spec.processes.filter((p) => !p.stages.includes('ingest')).map((p) => p.name);
  const joins = consumers.map((c) => times.first(c, 'partitions assigned'));
  if (joins.some((j) => j === undefined)) throw new Error(`up --topology ${opts.topology}: no "partitions assigned" line from ${consumers.filter((_, i) => joins[i] === undefined).join(', ')}`);
  const readyAt = Math.max(...(joins as number[]));

  const serde = createTopicSerde({ registryUrl: opts.registryUrl, topicPrefix: prefix, logger: pino({ level: 'silent' }) });
  const events: Array<{ at: number; e: FaceEvent }> = [];
  for (const r of (records.get('matches') ?? []).filter(isData)) events.push({ at: r.timestamp, e: (await serde.decode(r.value!)) as FaceEvent });

  /** hand-on time of a camera's frame, by its ts */
  let handedOn: (camera: string, ts: number) => number | undefined;
  let tsOffsetS: number | null = null;
  let anchorCheckMs: E2eRun['anchorCheckMs'] = null;
  const ingestChild = (camera: string) => `${spec.processes.find((p) => p.stages.includes('ingest'))!.name}@${camera}`;
  const lastFrameS = new Map(opts.sources.map((s) => [s.camera, s.lastFrameS]));
  /** when a camera's ingest started handing frames on, from its log: finished − t_s of the last frame */
  const logAnchor = (camera: string) => {
    const finished = times.first(ingestChild(camera), 'ingest source finished');
    return finished === undefined ? undefined : finished - (lastFrameS.get(camera) ?? 0) * 1000;
  };
  if (records.has('frames')) {
    const byTs = new Map<string, number>();
    const liveBase = new Map<string, number>();
    const offsets: number[] = [];
    for (const r of (records.get('frames') ?? []).filter(isData)) {
      const f = (await serde.decode(r.value!)) as Frame;
      byTs.set(frameKey(f.camera, f.ts), r.timestamp);
      offsets.push(r.timestamp - f.ts);
      const base = r.timestamp - f.t_s * 1000;
      liveBase.set(f.camera, Math.min(liveBase.get(f.camera) ?? Infinity, base));
    }
    handedOn = (camera, ts) => byTs.get(frameKey(camera, ts));
    tsOffsetS = offsets.length ? Math.round((offsets.reduce((a, b) => a + b, 0) / offsets.length / 1000) * 10) / 10 : null;
    const check = (estimate: (camera: string) => number | undefined) => {
      const errors = opts.sources.flatMap((s) => {
        const a = estimate(s.camera);
        const b = liveBase.get(s.camera);
        return a !== undefined && b !== undefined ? [b - a] : [];
      });
      return errors.length ? Math.round(errors.reduce((a, b) => a + b, 0) / errors.length) : null;
    };
    anchorCheckMs = { metricsServed: check((c) => times.first(ingestChild(c), 'metrics served')), sourceFinished: check(logAnchor) };
  } else {
    // the first frame of a file is dated exactly from up's start time: fileBase = ts − t_s
    const fileBase = new Map<string, number>();
    for (const { e } of events) fileBase.set(e.embedding.post.camera, e.embedding.post.frame.ts - e.embedding.post.frame.t_s * 1000);
    handedOn = (camera, ts) => {
      const a = logAnchor(camera);
      const base = fileBase.get(camera);
      return a === undefined || base === undefined ? undefined : a + (ts - base);
    };
  }

  const warm = readyAt + opts.warmupS * 1000;
  const hopsMs = await hops(records, (b) => serde.decode(b), warm);
  const all: number[] = [];
  const steady: number[] = [];
  const pipeline: number[] = [];
  const series: Array<readonly [number, number, number | null]> = [];
  for (const { at, e } of events) {
    const post = e.embedding.post;
    const shot = handedOn(post.camera, post.frame.ts);
    if (shot === undefined) continue;
    const newest = handedOn(post.camera, post.trackLastTs);
    series.push([Math.round((shot - t0) / 100) / 10, at - shot, newest === undefined ? null : at - newest]);
    all.push(at - shot);
    if (shot < warm) continue;
    steady.push(at - shot);
    if (newest !== undefined) pipeline.push(at - newest);
  }
  const run: E2eRun = {
    topology: opts.topology,
    imageFormat: opts.imageFormat,
    cameras: opts.sources.map((s) => ({ camera: s.camera, clip: s.clip, seconds: s.seconds })),
    cameraSeconds: Math.round(cameraSeconds * 100) / 100,
    wallS: Math.round(wallS * 10) / 10,
    readyS: Math.round((readyAt - t0) / 100) / 10,
    warmupS: opts.warmupS,
    events: events.length,
    latencyMs: percentiles(steady),
    pipelineLatencyMs: percentiles(pipeline),
    allEventsLatencyMs: percentiles(all),
    hopsMs,
    series: series.sort((a, b) => a[0] - b[0]),
    anchor: records.has('frames') ? 'frames records' : 'log line − t_s',
    tsOffsetS,
    anchorCheckMs,
    topics,
    stateRecordMaxBytes,
    loadAtStart,
    loadAtEnd,
  };
  return { run, records };
}

/** Time between consecutive topics of the records of one frame or one post (see E2eRun.hopsMs). */
async function hops(records: ReadonlyMap<Topic, readonly RawRecord[]>, decode: (b: Buffer) => Promise<unknown>, from: number): Promise<E2eRun['hopsMs']> {
  const data = async <T>(t: Topic) => Promise.all((records.get(t) ?? []).filter(isData).map(async (r) => ({ at: r.timestamp, v: (await decode(r.value!)) as T })));
  const postKey = (p: Pick<FacePost, 'camera' | 'trackId' | 'postNo'>) => `${p.camera}\u0000${p.trackId}\u0000${p.postNo}`;
  const frames = await data<Frame>('frames');
  const detections = await data<FrameDetections>('detections');
  const faces = await data<FacePost>('faces');
  const embeddings = await data<FaceEmbedding>('embeddings');
  const matches = await data<FaceEvent>('matches');
  const episodes = await data<EpisodeChange>('episodes');
  const out: Array<{ from: Topic; to: Topic } & Percentiles> = [];
  const hop = <A, B>(fromTopic: Topic, toTopic: Topic, up: Array<{ at: number; v: A }>, down: Array<{ at: number; v: B }>, keyUp: (v: A) => string, keyDown: (v: B) => string) => {
    if (up.length === 0 || down.length === 0) return;
    const at = new Map(up.map((r) => [keyUp(r.v), r.at]));
    const gaps = down.flatMap((r) => {
      const t = at.get(keyDown(r.v));
      return t === undefined || t < from ? [] : [r.at - t];
    });
    const p = percentiles(gaps);
    if (p) out.push({ from: fromTopic, to: toTopic, ...p });
  };
  hop('frames', 'detections', frames, detections, (f) => frameKey(f.camera, f.ts), (d) => frameKey(d.frame.camera, d.frame.ts));
  hop('detections', 'faces', detections, faces, (d) => frameKey(d.frame.camera, d.frame.ts), (p) => frameKey(p.camera, p.trackLastTs));
  hop('faces', 'embeddings', faces, embeddings, postKey, (e) => postKey(e.post));
  hop('embeddings', 'matches', embeddings, matches, (e) => postKey(e.post), (e) => postKey(e.embedding.post));
  hop('matches', 'episodes', matches, episodes, (e) => e.id, (c) => c.eventId ?? '');
  return out;
}
