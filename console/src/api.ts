// The console's only way to the server: the public HTTP API (/api/v1, docs/API.md) and its live WebSocket. Types come
// from the API's own TypeBox schemas (api/schemas), so the console and the server cannot drift apart silently.
import type { Static } from '@sinclair/typebox';
import type { Camera as CameraSchema, CameraStatistics as CameraStatisticsSchema } from '../../api/schemas/cameras.ts';
import type { CameraGroup as CameraGroupSchema } from '../../api/schemas/camera-groups.ts';
import type { Counter as CounterSchema, CounterStatistics as CounterStatisticsSchema } from '../../api/schemas/counters.ts';
import type { DossierFace as DossierFaceSchema, DossierFaceAdded as DossierFaceAddedSchema } from '../../api/schemas/dossier-faces.ts';
import type { Dossier as DossierSchema } from '../../api/schemas/dossiers.ts';
import type { Episode as EpisodeSchema, EpisodeWithEvents as EpisodeWithEventsSchema } from '../../api/schemas/episodes.ts';
import type { FaceEvent as FaceEventSchema } from '../../api/schemas/events.ts';
import type { ObjectRights as ObjectRightsSchema, RoleView } from '../../api/schemas/roles.ts';
import type { DossierSearchResult as DossierSearchSchema, EventSearchResult as EventSearchSchema } from '../../api/schemas/search.ts';
import type { Settings as SettingsSchema } from '../../api/schemas/settings.ts';
import type { StatisticsResult as StatisticsSchema } from '../../api/schemas/statistics.ts';
import type { LoginResult as LoginSchema, Me as MeSchema } from '../../api/schemas/tokens.ts';
import type { UserView } from '../../api/schemas/users.ts';
import type { VerifyResult as VerifySchema } from '../../api/schemas/verify.ts';
import type { WatchList as WatchListSchema } from '../../api/schemas/watch-lists.ts';
import type { Delivery as DeliverySchema, Webhook as WebhookSchema } from '../../api/schemas/webhooks.ts';

export type Camera = Static<typeof CameraSchema>;
export type CameraStatistics = Static<typeof CameraStatisticsSchema>;
export type CameraGroup = Static<typeof CameraGroupSchema>;
export type Counter = Static<typeof CounterSchema>;
export type CounterStatistics = Static<typeof CounterStatisticsSchema>;
export type Dossier = Static<typeof DossierSchema>;
export type DossierFace = Static<typeof DossierFaceSchema>;
export type DossierFaceAdded = Static<typeof DossierFaceAddedSchema>;
export type Episode = Static<typeof EpisodeSchema>;
export type EpisodeWithEvents = Static<typeof EpisodeWithEventsSchema>;
export type FaceEvent = Static<typeof FaceEventSchema>;
export type Role = Static<typeof RoleView>;
export type ObjectRights = Static<typeof ObjectRightsSchema>;
export type EventSearch = Static<typeof EventSearchSchema>;
export type DossierSearch = Static<typeof DossierSearchSchema>;
export type Settings = Static<typeof SettingsSchema>;
export type Statistics = Static<typeof StatisticsSchema>;
export type LoginResult = Static<typeof LoginSchema>;
export type Me = Static<typeof MeSchema>;
export type User = Static<typeof UserView>;
export type Verify = Static<typeof VerifySchema>;
export type WatchList = Static<typeof WatchListSchema>;
export type Webhook = Static<typeof WebhookSchema>;
export type Delivery = Static<typeof DeliverySchema>;
export interface Page<T> {
  results: T[];
  next_page: string | null;
}

export const API = 'api/v1';
const TOKEN_KEY = 'facestream.token';

/** A failed request, with the API's error envelope read into one sentence an operator can act on. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
    readonly reason?: string,
  ) {
    super(message);
  }
}

export const session = {
  get token(): string | null {
    return localStorage.getItem(TOKEN_KEY);
  },
  set(token: string): void {
    localStorage.setItem(TOKEN_KEY, token);
  },
  clear(): void {
    localStorage.removeItem(TOKEN_KEY);
  },
  /** called when the server says the token is no longer good (expired, revoked): the app goes back to login */
  onExpired: (): void => undefined,
};

/** Why the API refused, in words: its message, and for upload refusals the reason (no_face, too_large …). */
function describe(status: number, body: unknown): ApiError {
  const e = (body as { error?: { code?: string; message?: string; field?: string; reason?: string } } | null)?.error;
  if (!e) return new ApiError(status, status === 0 ? 'the server cannot be reached' : `the server answered ${status}`);
  const field = e.field && !e.message?.includes(e.field) ? ` (${e.field})` : '';
  return new ApiError(status, `${e.message ?? e.code ?? status}${field}`, e.code, e.reason);
}

/** One API request: a JSON or FormData (upload) body; a refusal thrown as an ApiError; 401 ends the session. */
async function request(method: string, path: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = {};
  const token = session.token;
  if (token) headers['authorization'] = `Bearer ${token}`;
  let payload: BodyInit | undefined;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  let response: Response;
  try {
    response = await fetch(`${API}${path}`, { method, headers, ...(payload !== undefined ? { body: payload } : {}) });
  } catch {
    throw new ApiError(0, 'the server cannot be reached');
  }
  if (response.ok) return response;
  if (response.status === 401 && token && path !== '/auth/login') {
    session.clear();
    session.onExpired();
  }
  throw describe(response.status, await response.json().catch(() => null));
}

/** An API call answering JSON (or nothing). */
export async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const text = await (await request(method, path, body)).text();
  return (text ? JSON.parse(text) : null) as T;
}

/** A file the API serves (an episode's clip): fetched with the token, which a <video src> could not send. */
export const blob = async (path: string): Promise<Blob> => (await request('GET', path)).blob();

export const get = <T>(path: string) => call<T>('GET', path);

/** Query string of the set values (arrays as FindFace's comma lists). */
export function query(params: Record<string, string | number | boolean | readonly (string | number)[] | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0)) continue;
    q.set(k, Array.isArray(v) ? v.join(',') : String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** A multipart body of files and fields. */
export function form(parts: Record<string, Blob | string | number | undefined>): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries(parts)) if (v !== undefined) f.append(k, v instanceof Blob ? v : String(v));
  return f;
}

/** The WebSocket URL of the live feed (the token in the query: browsers cannot set headers on a WebSocket). */
export function liveUrl(params: Record<string, string | undefined>): string {
  const url = new URL(`${API}/live`, location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  for (const [k, v] of Object.entries({ ...params, token: session.token ?? undefined })) if (v) url.searchParams.set(k, v);
  return url.toString();
}
