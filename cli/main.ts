// The `facestream` command line. Every command validates its configuration before it opens a file or socket;
// errors a user can act on are printed as one line naming the file and the reason, never as a stack trace.
import { writeFile } from 'node:fs/promises';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { DeepPartial } from '../config/load.ts';
import type { FacestreamConfig } from '../config/schema.ts';
import { analyze } from './analyze.ts';
import { exitCodeOf, messageOf } from './exit.ts';
import { identify } from './identify.ts';
import { parseInstances, parseSource, type SourceArg } from './up-plan.ts';
import { UserError } from './user-error.ts';
import { VERSION } from './version.ts';

function collectSource(value: string, previous: SourceArg[] | undefined): SourceArg[] {
  return [...(previous ?? []), parseSource(value)];
}

function collectInstances(value: string, previous: Record<string, number> | undefined): Record<string, number> {
  const [name, count] = parseInstances(value);
  return { ...previous, [name]: count };
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number ≥ 1');
  return n;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected a number ≥ 0');
  return n;
}

interface CommonFlags {
  config?: string;
  watchlist?: string;
  camera?: string;
  threshold?: number;
  mfSelector?: 'reject' | 'biggest';
}

/** A JSON object, e.g. a camera's stream_settings. */
function jsonObject(value: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (err) {
    throw new InvalidArgumentError(`not JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new InvalidArgumentError('expected a JSON object, e.g. {"fps":5}');
  return parsed as Record<string, unknown>;
}

/** An ISO date-time or epoch seconds, as epoch seconds. */
function startTime(value: string): number {
  const seconds = /^\d+(\.\d+)?$/.test(value) ? Number(value) : Date.parse(value) / 1000;
  if (!Number.isFinite(seconds) || seconds <= 0) throw new InvalidArgumentError('expected an ISO date-time (2026-11-22T10:00:00Z) or epoch seconds');
  return seconds;
}

function overridesOf(flags: CommonFlags & { fps?: number; mode?: 'realtime' | 'overall'; startTime?: number }): DeepPartial<FacestreamConfig> {
  return {
    ...(flags.camera ? { camera: flags.camera } : {}),
    ingest: { ...(flags.fps !== undefined ? { fps: flags.fps } : {}), ...(flags.startTime ? { start_stream_timestamp: flags.startTime } : {}) },
    best_shot: { ...(flags.mode ? { overall_only: flags.mode === 'overall' } : {}) },
    match: { ...(flags.threshold !== undefined ? { confidence_threshold: flags.threshold } : {}) },
    enrol: { ...(flags.mfSelector ? { mf_selector: flags.mfSelector } : {}) },
  };
}

function commonOptions(cmd: Command): Command {
  return cmd
    .option('-w, --watchlist <dir>', 'watch-list folder: a sub-folder of photos per person, or one photo per person')
    .option('-c, --config <file>', 'configuration file (JSON or YAML); see docs/config.md')
    .option('--threshold <similarity>', 'match.confidence_threshold', positiveNumber)
    .addOption(new Option('--mf-selector <mode>', 'watch-list photos with several faces').choices(['reject', 'biggest']));
}

const program = new Command('facestream')
  .description('Face recognition for video: detect, track, identify and group people into episodes.')
  .version(VERSION)
  .showHelpAfterError();

commonOptions(
  program
    .command('analyze')
    .description('analyse a video file or RTSP stream against a watch list and write a report')
    .argument('<source>', 'video file, file:// URL or rtsp:// URL'),
)
  .option('-o, --out <file>', 'write the JSON report here (docs/REPORT.md)')
  .option('--fps <n>', 'frames per second handed to detection (0 = every frame)', positiveNumber)
  .addOption(new Option('--mode <mode>', 'best-shot mode: realtime posts or one overall post per track').choices(['realtime', 'overall']))
  .option('--camera <id>', 'camera id written into events')
  .option('--start-time <time>', 'files: wall-clock time of the first frame (ISO or epoch seconds); default: when the analysis starts', startTime)
  .option('--no-progress', 'no progress bar')
  .option('--store [dir]', 'also write events and episodes to ClickHouse: embedded chdb in dir (default stores.clickhouse.data_dir), or CLICKHOUSE_URL')
  .option('--clips <dir>', 'record an MP4 of each episode into dir/<camera>/<episode id>.mp4 (clips.pre_roll, post_roll; docs/CLIPS.md)')
  .option('--log-level <level>', 'pino log level for diagnostics on stderr', 'warn')
  .action(async (source: string, flags: CommonFlags & { out?: string; fps?: number; mode?: 'realtime' | 'overall'; startTime?: number; progress: boolean; store?: string | true; clips?: string; logLevel: string }) => {
    // First signal: stop reading, finish what was read, write the report. Second: leave at once.
    const ac = new AbortController();
    const onSignal = () => {
      if (ac.signal.aborted) process.exit(130);
      console.error('facestream: stopping: finishing the frames already read (signal again to quit at once)');
      ac.abort();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const { report, sourceError } = await analyze(
      {
        source,
        ...(flags.out ? { out: flags.out } : {}),
        ...(flags.config ? { configFile: flags.config } : {}),
        ...(flags.watchlist ? { watchlistDir: flags.watchlist } : {}),
        overrides: overridesOf(flags),
        progress: flags.progress,
        logLevel: flags.logLevel,
        ...(flags.store !== undefined ? { store: flags.store } : {}),
        ...(flags.clips ? { clipsDir: flags.clips } : {}),
      },
      ac.signal,
    );
    const s = report.summary;
    console.log(
      `analysed ${s.frames} frames in ${s.elapsed_s} s (${s.speed_x_realtime}× real time): ${s.faces} faces, ${s.tracks} tracks, ` +
        `${s.events} events (${s.matched_events} matched), ${s.episodes} episodes` +
        (s.corrupt_frames ? `, ${s.corrupt_frames} corrupt frames skipped` : '') +
        (s.missing_frames ? `, ${s.missing_frames} frames missing (file truncated)` : '') +
        (flags.out ? `; report written to ${flags.out}` : ''),
    );
    if (sourceError) throw sourceError;
  });

commonOptions(
  program
    .command('identify')
    .description('find and identify the faces in photos; prints one JSON document')
    .argument('<photos...>', 'photo files'),
).action(async (photos: string[], flags: CommonFlags) => {
  const output = await identify(
    {
      photos,
      ...(flags.config ? { configFile: flags.config } : {}),
      ...(flags.watchlist ? { watchlistDir: flags.watchlist } : {}),
      overrides: overridesOf(flags),
    },
    (message) => console.error(`facestream: ${message}`),
  );
  await new Promise<void>((resolve) => process.stdout.write(`${JSON.stringify(output, null, 2)}\n`, () => resolve()));
  if (output.photos.some((p) => p.error)) process.exitCode = 1;
});

program
  .command('up')
  .description('run every process of a Kafka topology on this machine, each supervised (restarted when it fails)')
  .addOption(new Option('--topology <name>', 'the topology to run').choices(['distributed', 'edge', 'viewtron']).default('distributed'))
  .option('--source <camera=url>', 'a camera to process, <camera id>=<file, file:// or rtsp:// URL>; repeat for more. Without it, the ingest process runs as workers taking the cameras created through the API from the cameras topic', collectSource)
  .option('--instances <process=n>', 'run n instances of a process, e.g. embed=2; repeatable', collectInstances)
  .option('-w, --watchlist <dir>', 'watch-list folder, for the processes that match')
  .option('-c, --config <file>', 'configuration file (JSON or YAML) every process loads; see docs/config.md')
  .option('--until-done', 'once every source has gone through the last stage, stop every process and exit (files)')
  .option('--log-level <level>', 'pino log level of up itself, on stderr', 'info')
  .action(async (flags: { topology: string; source?: SourceArg[]; instances?: Record<string, number>; watchlist?: string; config?: string; untilDone?: boolean; logLevel: string }) => {
    // up() handles SIGINT/SIGTERM itself: the first stops every process gracefully, the second kills them
    const { up } = await import('./up.ts');
    process.exitCode = await up({
      topology: flags.topology,
      sources: flags.source ?? [],
      ...(flags.instances ? { instances: flags.instances } : {}),
      ...(flags.watchlist ? { watchlist: flags.watchlist } : {}),
      ...(flags.config ? { config: flags.config } : {}),
      untilDone: flags.untilDone ?? false,
      logLevel: flags.logLevel,
    });
  });

program
  .command('stage')
  .description('run one process of a Kafka topology (a stage, or a camera with the stages fused with it) against KAFKA_BROKERS')
  .argument('<process>', 'process name in the topology (distributed: ingest, detect, track, embed, match, episodes)')
  .option('--topology <name>', 'distributed | edge | viewtron', 'distributed')
  .option('--instance <id>', 'this instance among those of the process; stable across restarts (names its Kafka transactions)', '0')
  .option('--instances <n>', 'run n instances here (supervised children numbered from --instance) that share the partitions of the input', positiveInteger, 1)
  .option('--camera <id>', 'processes with ingest: the camera id')
  .option('--source <url>', 'processes with ingest: video file, file:// URL or rtsp:// URL (without --camera and --source: a worker that takes camera jobs from the cameras topic)')
  .option('--camera-settings <json>', "processes with ingest: the camera's stream_settings as a JSON object (FindFace names: fps, imotion_threshold, roi …) over the configuration", jsonObject)
  .option('--start-time <time>', 'files: wall-clock time of the first frame (ISO or epoch seconds)', startTime)
  .option('-w, --watchlist <dir>', 'processes with match: the watch-list folder')
  .option('-c, --config <file>', 'configuration file (JSON or YAML)')
  .option('--log-level <level>', 'pino log level (JSON lines on stdout)', 'info')
  .action(async (name: string, flags: { topology: string; instance: string; instances: number; camera?: string; source?: string; cameraSettings?: Record<string, unknown>; startTime?: number; watchlist?: string; config?: string; logLevel: string }) => {
    if (flags.instances > 1) {
      if (flags.source) throw new UserError('--instances: a process that reads a camera runs once per camera');
      const { runStageInstances } = await import('./stage-instances.ts');
      const passOn = [
        ['--topology', flags.topology],
        ['--watchlist', flags.watchlist],
        ['--config', flags.config],
        ['--log-level', flags.logLevel],
      ].flatMap(([flag, value]) => (value === undefined ? [] : [flag!, value]));
      await runStageInstances(name, flags.instances, Number(flags.instance) || 0, passOn);
      return;
    }
    // First signal: finish and commit the batch in hand, leave the group. Second: leave at once.
    const ac = new AbortController();
    const onSignal = () => {
      if (ac.signal.aborted) process.exit(130);
      ac.abort();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const { runStage } = await import('./stage.ts');
    await runStage(
      {
        topology: flags.topology,
        process: name,
        instance: flags.instance,
        ...(flags.camera ? { camera: flags.camera } : {}),
        ...(flags.source ? { source: flags.source } : {}),
        ...(flags.cameraSettings ? { cameraSettings: flags.cameraSettings } : {}),
        ...(flags.startTime ? { startTime: flags.startTime } : {}),
        ...(flags.watchlist ? { watchlistDir: flags.watchlist } : {}),
        ...(flags.config ? { configFile: flags.config } : {}),
        logLevel: flags.logLevel,
      },
      ac.signal,
    );
  });

program
  .command('serve')
  .description('serve the API (docs/API.md): PGlite and chdb in --data-dir, or DATABASE_URL and CLICKHOUSE_URL')
  .option('-c, --config <file>', 'configuration file (JSON or YAML); see docs/config.md')
  .option('--host <address>', 'address to listen on (default 127.0.0.1)')
  .option('--port <n>', 'TCP port (default 8080; 0 = any free port)', (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('expected a port 0…65535');
    return n;
  })
  .option('--data-dir <dir>', 'where the embedded stores keep their data (default: stores.postgres.data_dir and stores.clickhouse.data_dir, under .facestream/data)')
  .option('--log-level <level>', 'pino log level of the API (JSON lines on stdout)', 'warn')
  .action(async (flags: { config?: string; host?: string; port?: number; dataDir?: string; logLevel: string }) => {
    const { serve } = await import('./serve.ts');
    const say = (line: string) => console.error(`facestream: ${line}`);
    const { stop } = await serve({
      ...(flags.config ? { configFile: flags.config } : {}),
      api: { ...(flags.host !== undefined ? { host: flags.host } : {}), ...(flags.port !== undefined ? { port: flags.port } : {}) },
      ...(flags.dataDir ? { dataDir: flags.dataDir } : {}),
      logLevel: flags.logLevel,
      env: process.env,
      say,
    });
    // First signal: stop accepting, finish the requests in flight, close the stores. Second: leave at once.
    await new Promise<void>((resolve) => {
      let stopping = false;
      const onSignal = () => {
        if (stopping) process.exit(130);
        stopping = true;
        say('stopping (signal again to quit at once)');
        void stop().then(resolve);
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
    });
  });

program
  .command('import')
  .description('enrol a watch-list folder or a TSV table of photos through the HTTP API (docs/API.md "Bulk import")')
  .argument('<source>', 'a folder (a sub-folder of photos per person, or one photo per person) or a .tsv file: name<TAB>photo[<TAB>comment]')
  .requiredOption('--api <url>', 'the API, e.g. http://127.0.0.1:8080 (facestream serve)')
  .option('--token <key>', 'an API token (POST /api/v1/auth/login or /tokens)')
  .option('--user <name>', 'log in as this user instead of --token')
  .option('--password-env <var>', 'the environment variable holding --user\'s password', 'FACESTREAM_PASSWORD')
  .option('--watch-list <name>', 'put new dossiers on this watch list (created when missing)')
  .option('--parallel <n>', 'uploads at a time', positiveInteger, 4)
  .addOption(new Option('--mf-selector <mode>', 'photos with several faces: reject them, or enrol the biggest face').choices(['reject', 'biggest']))
  .option('--report <file>', "write every photo's outcome here (JSON)")
  .option('--no-progress', 'no progress bar')
  .action(async (source: string, flags: { api: string; token?: string; user?: string; passwordEnv: string; watchList?: string; parallel: number; mfSelector?: 'reject' | 'biggest'; report?: string; progress: boolean }) => {
    const { importPhotos, summaryLine } = await import('./import.ts');
    let auth: { token: string } | { user: string; password: string };
    if (flags.token) auth = { token: flags.token };
    else if (flags.user) {
      const password = process.env[flags.passwordEnv];
      if (password === undefined) throw new UserError(`--user ${flags.user}: set the password in ${flags.passwordEnv} (or name another variable with --password-env)`);
      auth = { user: flags.user, password };
    } else throw new UserError('import: give --token, or --user with the password in an environment variable');
    const report = await importPhotos({
      source,
      api: flags.api,
      auth,
      parallel: flags.parallel,
      progress: flags.progress,
      ...(flags.watchList !== undefined ? { watchList: flags.watchList } : {}),
      ...(flags.mfSelector ? { mfSelector: flags.mfSelector } : {}),
      ...(flags.report ? { report: flags.report } : {}),
    });
    for (const p of report.photos) if (p.outcome === 'rejected' || p.outcome === 'failed') console.error(`facestream: ${p.photo}: ${p.outcome} (${p.reason ?? ''}): ${p.message ?? ''}`);
    console.log(summaryLine(report, flags.report));
    if (report.summary.rejected + report.summary.failed > 0) process.exitCode = 1;
  });

program
  .command('config')
  .description('print the resolved configuration (defaults ← file), or the errors in it')
  .option('-c, --config <file>', 'configuration file (JSON or YAML)')
  .option('-o, --out <file>', 'write it to a file instead of stdout')
  .action(async (flags: { config?: string; out?: string }) => {
    const { loadConfig } = await import('../config/load.ts');
    const text = `${JSON.stringify(await loadConfig(flags.config), null, 2)}\n`;
    if (flags.out) await writeFile(flags.out, text);
    else process.stdout.write(text);
  });

try {
  await program.parseAsync(process.argv);
} catch (err) {
  console.error(`facestream: ${messageOf(err)}`);
  if (process.env['FACESTREAM_DEBUG'] && err instanceof Error) console.error(err.stack);
  process.exitCode = exitCodeOf(err);
}
// Every command's promise settles when its work is over. Whatever a library left open after that (a client's
// retry timer, a socket) must not keep the process alive: a stage that failed but never exits is never restarted
// by its supervisor. Unref'd, so a process with nothing left open exits at once as usual.
const LINGER_MS = 5000;
setTimeout(() => {
  console.error(`facestream: still running ${LINGER_MS / 1000} s after the command ended (open: ${process.getActiveResourcesInfo().join(', ')}); exiting`);
  process.exit();
}, LINGER_MS).unref();
