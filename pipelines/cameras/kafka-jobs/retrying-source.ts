// A live camera's source that reconnects in its own process (docs/KAFKA.md "Ingest workers"): a camera's child reads
// its source again after the short live backoff serve's camera manager uses (LIVE_BACKOFF, 0.25 s doubling to 2 s),
// so a camera that returns is read again within seconds; restarting the child (the supervisor's slower backoff) is
// left for crashes. A failure downstream of the source (the broker not acknowledging) is not the camera's: it ends the
// process as before. Each failure is one log line (SOURCE_RETRY_MSG), and the first frame after it another
// (SOURCE_BACK_MSG), that the worker reads into the camera's status.
import { setTimeout as wait } from 'node:timers/promises';
import type { Logger } from 'pino';
import { backoffDelay } from '../../../cli/supervisor.ts';
import type { Source, SourceContext } from '../../runtime/stage.ts';
import type { Backoff } from '../manager.ts';

export const SOURCE_RETRY_MSG = 'camera source failed; retrying';
/** the first frame after a failure: the worker shows the camera running at once, not at the next counters line */
export const SOURCE_BACK_MSG = 'camera source reading again';

export interface RetryingSourceOptions {
  readonly camera: string;
  readonly backoff: Backoff;
  readonly logger: Pick<Logger, 'warn' | 'info'>;
}

export function retryingSource<Out>(inner: Source<Out>, opts: RetryingSourceOptions): Source<Out> {
  return {
    name: inner.name,
    async run(ctx: SourceContext<Out>, signal: AbortSignal): Promise<void> {
      let failuresInARow = 0;
      /** an error of the stages after the source: not retried here */
      let downstream: unknown;
      const passing =
        <A extends unknown[]>(f: (...a: A) => Promise<void>) =>
        (...a: A) =>
          f(...a).catch((err: unknown) => {
            downstream = err;
            throw err;
          });
      const shell: SourceContext<Out> = {
        ...ctx,
        forward: passing(async (record: Out) => {
          if (failuresInARow > 0) opts.logger.info({ camera: opts.camera, failuresInARow }, SOURCE_BACK_MSG);
          failuresInARow = 0; // the source delivers again
          await ctx.forward(record);
        }),
        idle: passing((idle) => ctx.idle(idle)),
      };
      for (;;) {
        try {
          await inner.run(shell, signal);
          return;
        } catch (err) {
          if (signal.aborted || downstream !== undefined) throw err;
          failuresInARow++;
          const retryInMs = backoffDelay(failuresInARow, opts.backoff);
          opts.logger.warn({ camera: opts.camera, err: (err as Error).message, retryInMs, failuresInARow }, SOURCE_RETRY_MSG);
          await wait(retryInMs, undefined, { signal }).catch(() => undefined); // a stop ends the wait
          if (signal.aborted) return;
        }
      }
    },
    close: () => inner.close?.(),
  };
}
