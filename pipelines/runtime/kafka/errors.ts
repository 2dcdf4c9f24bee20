// What the Kafka runtime does with a failure: the policy reads flags on the error, never its message text
// (STYLE.md §5). Decode and process failures of one record dead-letter it and the stage goes on; transient
// failures (broker, registry) are retried with backoff; anything else stops the stage for its supervisor.
export type FailureKind = 'decode' | 'process' | 'produce';
export type Verdict = 'dead-letter' | 'retry' | 'fail';

/** Errors that a retry may cure carry `retryable: true` (schema-registry outages, kafkajs retriable errors). */
export function isRetryable(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { retryable?: unknown; retriable?: unknown };
  return e.retryable === true || e.retriable === true;
}

export function verdictFor(kind: FailureKind, err: unknown): Verdict {
  if (isRetryable(err)) return 'retry';
  return kind === 'produce' ? 'fail' : 'dead-letter';
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Runs `fn`, retrying retryable failures with exponential backoff (100 ms × 2ⁿ, at most 10 s) `retries` times.
 * No async frame of its own: it runs per record, and the first attempt nearly always succeeds.
 */
export function withRetries<T>(fn: () => Promise<T>, retries: number, onRetry: (err: unknown, attempt: number, delayMs: number) => void, attempt = 1): Promise<T> {
  let result: Promise<T>;
  try {
    result = fn();
  } catch (err) {
    result = Promise.reject(err);
  }
  return result.catch(async (err: unknown) => {
    if (!isRetryable(err) || attempt > retries) throw err;
    const delayMs = Math.min(10_000, 100 * 2 ** (attempt - 1));
    onRetry(err, attempt, delayMs);
    await new Promise((r) => setTimeout(r, delayMs));
    return withRetries(fn, retries, onRetry, attempt + 1);
  });
}
