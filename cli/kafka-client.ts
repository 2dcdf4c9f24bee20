// The kafkajs client of a facestream process: its logs go through pino (one JSON line each, not kafkajs's own
// format), and transient broker errors are retried with backoff by kafkajs before anything reaches a stage.
// first: kafkajs must load after it (see there)
import '../pipelines/runtime/kafka/kafkajs-preload.ts';
import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import type { Logger } from 'pino';
import { useOneCopyProduceRequests } from '../pipelines/runtime/kafka/produce-request.ts';

// before anything of this process produces (kafkajs loads its Produce encoder on the first produce)
useOneCopyProduceRequests();

// kafkajs logs errors it retries itself (coordinator loading, leader moved) at ERROR; what it gives up on is
// thrown to the caller, which decides. So its ERROR is our warn.
const LEVELS: Record<number, 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'warn',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

export function createKafkaClient(opts: { brokers: readonly string[]; clientId: string; logger: Logger }): Kafka {
  const logger = opts.logger.child({ component: 'kafkajs' });
  return new Kafka({
    clientId: opts.clientId,
    brokers: [...opts.brokers],
    retry: { initialRetryTime: 300, retries: 10, maxRetryTime: 10_000 },
    // kafkajs logs at INFO every join/leave; keep WARN and up unless debugging
    logLevel: logger.isLevelEnabled('debug') ? logLevel.DEBUG : logLevel.WARN,
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        const { message, ...rest } = log;
        logger[LEVELS[level] ?? 'info'](rest, message);
      },
  });
}
