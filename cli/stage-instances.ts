// `facestream stage <process> --instances N`: N members of the process's consumer group on this machine, each a
// supervised child `facestream stage <process> --instance <first+i>` (own cores, own crash), sharing the input
// partitions. A signal stops them gracefully; a second one kills them.
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { Supervisor } from './supervisor.ts';

const ENTRY = fileURLToPath(new URL('../bin/facestream.js', import.meta.url));

/** `args`: the stage command's own arguments but --instance; resolves when every instance has exited. */
export async function runStageInstances(name: string, count: number, firstInstance: number, args: readonly string[]): Promise<void> {
  const logger = pino({ name: 'stage', level: 'info' }, pino.destination({ dest: 2, sync: true }));
  const supervisor = new Supervisor({ logger });
  for (let i = 0; i < count; i++) {
    const instance = String(firstInstance + i);
    supervisor.add({ name: `${name}#${instance}`, command: process.execPath, args: [ENTRY, 'stage', name, '--instance', instance, ...args] });
  }
  const done = new Promise<void>((resolve) => supervisor.once('done', resolve));
  let signals = 0;
  let onSignal = () => undefined as void;
  const stopped = new Promise<void>((resolve) => {
    onSignal = () => void (++signals === 1 ? supervisor.stop().then(resolve) : supervisor.kill());
  });
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  supervisor.start();
  try {
    await Promise.race([done, stopped]);
    await supervisor.stop();
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
