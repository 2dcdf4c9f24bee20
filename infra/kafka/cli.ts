// A local Kafka broker that outlives the command, for users and benchmarks:
//   node bin/run-ts.js infra/kafka/cli.ts up [--port N] [--controller-port N]   start (or show the running one)
//   node bin/run-ts.js infra/kafka/cli.ts status                                  exit 0 if running, 1 if not
//   node bin/run-ts.js infra/kafka/cli.ts down                                    stop it; data is kept
//   node bin/run-ts.js infra/kafka/cli.ts fetch                                   fetch the jars only (CI warm-up)
// `up` and `status` print KAFKA_BROKERS=127.0.0.1:<port> on stdout (eval-able); everything else goes to stderr.
// State lives in <repo>/.facestream/kafka (or --state-dir): state.json while running, ports.json (reused by the next
// `up` when still free), data/ (topics survive down/up). The command itself is infra/local-service/cli.ts.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runServiceCommand } from '../local-service/cli.ts';
import { isKafkaProcess, startKafka, stopKafkaPid } from './broker.ts';
import { brokerLayout } from './config.ts';
import type { BrokerPorts } from './config.ts';
import { ensureKafkaJars } from './jars.ts';

interface State {
  readonly pid: number;
  readonly brokers: string[];
  readonly port: number;
  readonly controllerPort: number;
  readonly dataDir: string;
  readonly logFile: string;
  readonly startedAt: string;
}

const REPO = fileURLToPath(new URL('../../', import.meta.url));

runServiceCommand<keyof BrokerPorts, State>(
  {
    name: 'kafka',
    usage: 'usage: kafka <up|down|status|fetch> [--port N] [--controller-port N] [--state-dir DIR]',
    defaultStateDir: join(REPO, '.facestream', 'kafka'),
    ports: { port: 'port', controllerPort: 'controller-port' },
    portsFile: 'ports.json',
    start: async (stateDir, ports) => {
      const dataDir = join(stateDir, 'data');
      const broker = await startKafka({ ...ports, dataDir, detached: true });
      return {
        pid: broker.pid,
        brokers: broker.brokers,
        port: broker.port,
        controllerPort: broker.controllerPort,
        dataDir,
        logFile: broker.logFile,
      };
    },
    isRunning: (s) => isKafkaProcess(s.pid, s.dataDir),
    stop: async (s) => {
      await stopKafkaPid(s.pid, 30_000);
      return '';
    },
    address: (s) => `KAFKA_BROKERS=${s.brokers.join(',')}`,
    where: (s) => `data ${s.dataDir}, log ${s.logFile}`,
    dataDir: (s) => s.dataDir,
    lastLog: (stateDir) => brokerLayout(join(stateDir, 'data')).logFile,
    commands: {
      fetch: async () => {
        process.stderr.write(`kafka: jars in ${await ensureKafkaJars()}\n`);
        return 0;
      },
    },
  },
  process.argv.slice(2),
);
