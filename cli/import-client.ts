// The few calls of facestream's HTTP API that `facestream import` makes (docs/API.md), over fetch with a bearer token.
// Import goes through the API rather than the stores so rights, audit, the quality gate and matcher sync all apply.
import { UserError } from './user-error.ts';

export interface ApiAnswer<T> {
  readonly status: number;
  readonly body: T;
}

/** The API's error envelope (api/errors.ts). */
export interface ApiErrorBody {
  readonly error?: { readonly code: string; readonly message: string; readonly field?: string; readonly reason?: string };
}

export class ApiClient {
  private constructor(
    readonly base: string,
    private readonly token: string,
  ) {}

  /** A client with `token`, or with a token from logging in as `user`. */
  static async connect(base: string, auth: { readonly token: string } | { readonly user: string; readonly password: string }): Promise<ApiClient> {
    const root = base.replace(/\/+$/, '');
    if ('token' in auth) return new ApiClient(root, auth.token);
    const r = await new ApiClient(root, '').call<{ key?: string } & ApiErrorBody>('POST', '/auth/login', { username: auth.user, password: auth.password });
    if (r.status !== 200 || !r.body.key) throw new UserError(`${root}: login as ${auth.user} failed: ${r.body.error?.message ?? `HTTP ${r.status}`}`);
    return new ApiClient(root, r.body.key);
  }

  /** One request under /api/v1; a JSON body or a FormData. Throws UserError when the API cannot be reached. */
  async call<T>(method: string, path: string, body?: unknown): Promise<ApiAnswer<T>> {
    const headers: Record<string, string> = this.token ? { authorization: `Bearer ${this.token}` } : {};
    let payload: string | FormData | undefined;
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) {
      payload = JSON.stringify(body);
      headers['content-type'] = 'application/json';
    }
    let res: Response;
    try {
      res = await fetch(`${this.base}/api/v1${path}`, { method, headers, ...(payload !== undefined ? { body: payload } : {}) });
    } catch (err) {
      throw new UserError(`${this.base}: the API cannot be reached (${(err as Error & { cause?: Error }).cause?.message ?? (err as Error).message})`);
    }
    const text = await res.text();
    let parsed: unknown = {};
    try {
      parsed = text === '' ? {} : JSON.parse(text);
    } catch {
      parsed = { error: { code: 'FS_ERR_INTERNAL', message: `HTTP ${res.status}: not JSON` } };
    }
    return { status: res.status, body: parsed as T };
  }

  /** A 2xx answer's body; anything else is a UserError naming what was asked. */
  async ok<T>(method: string, path: string, body?: unknown): Promise<T> {
    const r = await this.call<T & ApiErrorBody>(method, path, body);
    if (r.status < 200 || r.status > 299) throw new UserError(`${method} ${path}: ${r.body.error?.message ?? `HTTP ${r.status}`}`);
    return r.body;
  }

  /** Every item of a cursor-paged listing (`results`, `next_page`). */
  async all<T>(path: string): Promise<T[]> {
    const items: T[] = [];
    const sep = path.includes('?') ? '&' : '?';
    for (let page: string | null = null; ; ) {
      const r: { results: T[]; next_page: string | null } = await this.ok('GET', `${path}${sep}limit=1000${page !== null ? `&page=${encodeURIComponent(page)}` : ''}`);
      items.push(...r.results);
      if (r.next_page === null) return items;
      page = r.next_page;
    }
  }
}
