// Telling "the registry is unreachable" from "the registry said no". @kafkajs/confluent-schema-registry reports a
// refused connection as a ResponseError with status 400 (mappersmith turns network errors into a fake 400 response
// whose only trace is the message text), the same status a real 400 answer gets. Rather than read message text,
// a failure with status 400 (or none) is followed by one probe of GET /config: if that cannot connect either,
// the registry is unreachable.

/** What a failed registry call amounts to. */
export type RegistryFailure =
  | { readonly kind: 'not_found'; readonly status: 404; readonly detail: string }
  | { readonly kind: 'unreachable'; readonly detail: string }
  | { readonly kind: 'rejected'; readonly status: number; readonly detail: string; readonly errorCode?: number };

/** status of a ResponseError of @kafkajs/confluent-schema-registry (or of our HttpAnswerError) */
function statusOf(e: unknown): number | undefined {
  if (typeof e === 'object' && e !== null && 'status' in e) {
    const s = (e as { readonly status: unknown }).status;
    if (typeof s === 'number') return s;
  }
  return undefined;
}

function errorCodeOf(e: unknown): number | undefined {
  if (typeof e === 'object' && e !== null && 'errorCode' in e) {
    const c = (e as { readonly errorCode: unknown }).errorCode;
    if (typeof c === 'number') return c;
  }
  return undefined;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Why fetch failed, in a few words: `ECONNREFUSED`, `ENOTFOUND`, `timeout`… */
export function networkCause(e: unknown): string {
  if (e instanceof Error && e.name === 'TimeoutError') return 'timeout';
  const cause: unknown = e instanceof Error ? e.cause : undefined;
  if (typeof cause === 'object' && cause !== null) {
    const code = (cause as { readonly code?: unknown }).code;
    if (typeof code === 'string') return code;
    if (cause instanceof Error) return cause.message;
  }
  return messageOf(e);
}

/** undefined when the registry answers GET /config; else why it could not be reached */
export async function probeRegistry(registryUrl: string, timeoutMs: number): Promise<string | undefined> {
  try {
    const res = await fetch(`${registryUrl}/config`, { signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer();
    return res.status >= 500 ? `HTTP ${res.status}` : undefined;
  } catch (e) {
    return networkCause(e);
  }
}

export async function classifyRegistryFailure(e: unknown, registryUrl: string, probeTimeoutMs: number): Promise<RegistryFailure> {
  const status = statusOf(e);
  if (status === 404) return { kind: 'not_found', status, detail: messageOf(e) };
  if (status !== undefined && status >= 500) return { kind: 'unreachable', detail: `HTTP ${status}: ${messageOf(e)}` };
  if (status === undefined || status === 400 || status === 408) {
    const down = await probeRegistry(registryUrl, probeTimeoutMs);
    if (down !== undefined) return { kind: 'unreachable', detail: down };
  }
  const errorCode = errorCodeOf(e);
  return { kind: 'rejected', status: status ?? 0, detail: messageOf(e), ...(errorCode === undefined ? {} : { errorCode }) };
}

/** An error answer to one of our own fetch calls, shaped like the client's ResponseError. */
export class HttpAnswerError extends Error {
  override readonly name = 'HttpAnswerError';

  constructor(
    readonly status: number,
    readonly errorCode: number | undefined,
    message: string,
  ) {
    super(message);
  }
}

/** JSON request to the registry; throws HttpAnswerError on an error answer and lets network errors through. */
export async function registryRequest<T>(
  registryUrl: string,
  method: 'GET' | 'POST' | 'PUT',
  path: string,
  body: unknown,
  timeoutMs: number,
): Promise<T> {
  const res = await fetch(`${registryUrl}${path}`, {
    method,
    headers: { accept: 'application/vnd.schemaregistry.v1+json', ...(body === undefined ? {} : { 'content-type': 'application/vnd.schemaregistry.v1+json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const b = (typeof json === 'object' && json !== null ? json : {}) as { readonly error_code?: unknown; readonly message?: unknown };
    const errorCode = typeof b.error_code === 'number' ? b.error_code : undefined;
    const message = typeof b.message === 'string' ? b.message : text.slice(0, 200) || `HTTP ${res.status}`;
    throw new HttpAnswerError(res.status, errorCode, `${method} ${path}: ${message}`);
  }
  return json as T;
}
