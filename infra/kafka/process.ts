// Pids live in infra/local-service/process.ts. This re-export stays for the importers outside infra/ (cli/up.test.ts,
// cli/supervisor.test.ts) until they import from there.
export { isAlive, waitForExit } from '../local-service/process.ts';
