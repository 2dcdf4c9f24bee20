// A local PostgreSQL server that outlives the command, for users and benchmarks:
//   node bin/run-ts.js infra/postgres/cli.ts up [--port N]    start (or show the running one)
//   node bin/run-ts.js infra/postgres/cli.ts status           exit 0 if running, 1 if not
//   node bin/run-ts.js infra/postgres/cli.ts down             stop it (fast shutdown); data is kept
//   node bin/run-ts.js infra/postgres/cli.ts install          install Debian's postgresql if missing (install.sh)
// `up` and `status` print DATABASE_URL=postgres://postgres@127.0.0.1:<port>/facestream on stdout (eval-able);
// everything else goes to stderr. State lives in <repo>/.facestream/postgres (or --state-dir): state.json while
// running, port.json (reused by the next `up` when still free), cluster/ (a durable cluster: databases survive
// down/up). The command itself is infra/local-service/cli.ts.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { runServiceCommand } from '../local-service/cli.ts';
import { clusterLayout } from './layout.ts';
import { isPostgresProcess, startPostgres, stopPostgresPid } from './server.ts';

interface State {
  readonly pid: number;
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  readonly logFile: string;
  readonly startedAt: string;
}

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const DATABASE = 'facestream';

runServiceCommand<'port', State>(
  {
    name: 'postgres',
    usage: 'usage: postgres <up|down|status|install> [--port N] [--state-dir DIR]',
    defaultStateDir: join(REPO, '.facestream', 'postgres'),
    ports: { port: 'port' },
    portsFile: 'port.json',
    start: async (stateDir, { port }) => {
      const dir = join(stateDir, 'cluster');
      const server = await startPostgres({ dir, port, database: DATABASE, detached: true, durable: true });
      return { pid: server.pid, url: server.url, port, dir, logFile: server.logFile };
    },
    isRunning: (s) => isPostgresProcess(s.pid, s.dir),
    stop: async (s) => ` (${await stopPostgresPid(s.pid, 30_000)} shutdown)`,
    address: (s) => `DATABASE_URL=${s.url}`,
    where: (s) => `cluster ${s.dir}, log ${s.logFile}`,
    dataDir: (s) => s.dir,
    lastLog: (stateDir) => clusterLayout(join(stateDir, 'cluster')).logFile,
    commands: {
      install: async () => {
        const { stdout, stderr } = await promisify(execFile)('bash', [join(REPO, 'infra', 'postgres', 'install.sh')], { timeout: 600_000 });
        process.stderr.write(stderr + stdout);
        return 0;
      },
    },
  },
  process.argv.slice(2),
);
