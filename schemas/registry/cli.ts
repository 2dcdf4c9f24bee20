// Runs facestream's schema registry on its own.
// Usage: node bin/run-ts.js schemas/registry/cli.ts [--host 127.0.0.1] [--port 8081] [--data-dir DIR]
// Without --data-dir it keeps everything in memory (ids change on every restart: fine for tests only).
import { parseArgs } from 'node:util';
import pino from 'pino';
import { startSchemaRegistry } from './server.ts';

const { values } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '8081' },
    'data-dir': { type: 'string' },
  },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`--port must be a port number, got ${values.port}`);
  process.exit(2);
}
const logger = pino({ name: 'schema-registry' });
if (values['data-dir'] === undefined) logger.warn('no --data-dir: schemas are kept in memory only and their ids change on restart');
const server = await startSchemaRegistry({ host: values.host, port, dataDir: values['data-dir'], logger });
const stop = (): void => {
  void server.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
