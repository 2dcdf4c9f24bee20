// One attempt to POST a batch (a JSON array) to a webhook, with a timeout. Never throws: a refused connection,
// a timeout and a non-2xx answer are all failed attempts with a reason (FindFace: the catcher must answer 200).
import type { AttemptResult } from './dispatcher.ts';

export async function postBatch(url: string, body: string, timeoutMs: number, signal: AbortSignal): Promise<AttemptResult> {
  const timeout = AbortSignal.timeout(timeoutMs);
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      signal: AbortSignal.any([signal, timeout]),
      redirect: 'error',
    });
    await res.body?.cancel(); // the answer's body is not read; cancelling frees the connection
    const ok = res.status >= 200 && res.status < 300;
    return { ok, statusCode: res.status, error: ok ? '' : `HTTP ${res.status}` };
  } catch (err) {
    if (timeout.aborted) return { ok: false, statusCode: 0, error: `timeout after ${timeoutMs} ms` };
    if (signal.aborted) return { ok: false, statusCode: 0, error: 'stopped' };
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    return { ok: false, statusCode: 0, error: cause?.code ?? cause?.message ?? (err as Error).message };
  }
}
