// Configuration of the HTTP API (`api` in config/schema.ts): TypeBox schema with FindFace's upload limits as
// defaults; the type is derived. `apiConfig()` fills the defaults where an API is built without the whole config (tests).
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { RetroMatchConfig } from './retro-match/config.ts';

const strict = { additionalProperties: false } as const;

export const ApiConfig = Type.Object(
  {
    host: Type.String({ default: '127.0.0.1', description: 'address the API listens on (0.0.0.0 = every interface)' }),
    port: Type.Integer({ default: 8080, minimum: 0, maximum: 65535, description: 'TCP port of the API (0 = any free port)' }),
    body_limit_bytes: Type.Integer({
      default: 1024 * 1024,
      minimum: 1024,
      description: 'largest JSON body accepted; a larger one is answered 413',
    }),
    image_max_bytes: Type.Integer({
      default: 10 * 1024 * 1024,
      minimum: 1024,
      description: 'largest uploaded photo (FindFace: 10 MB); a larger one is answered 413',
    }),
    image_max_side: Type.Integer({
      default: 6000,
      minimum: 16,
      description: 'longest side of an uploaded photo in pixels (FindFace: 6000); a larger one is answered 413',
    }),
    retro_match: RetroMatchConfig,
    trust_proxy: Type.Union([Type.Boolean(), Type.Array(Type.String())], {
      default: false,
      description: 'trust X-Forwarded-* headers: false, true (any proxy), or the proxies\' addresses/CIDRs',
      examples: [['10.0.0.0/8']],
    }),
    allowed_networks: Type.Array(Type.String(), {
      default: [],
      description:
        'camera and webhook URLs pointing at loopback, link-local or private addresses are refused (FindFace deny-networks) unless inside one of these CIDRs',
      examples: [['10.0.0.0/8', '192.168.1.0/24']],
    }),
    docs: Type.Boolean({ default: true, description: 'serve Swagger UI at /docs (the document at /openapi.json is always served)' }),
    live_poll_ms: Type.Integer({
      default: 1000,
      minimum: 50,
      description: 'how often the live feed (/api/v1/live) asks ClickHouse for new events and episode changes; one poller for all connections',
    }),
    live_max_buffered_bytes: Type.Integer({
      default: 4 * 1024 * 1024,
      minimum: 1024,
      description: 'a live feed client with more unsent bytes than this is disconnected (close 1008) instead of being buffered without bound',
    }),
  },
  strict,
);
export type ApiConfig = Static<typeof ApiConfig>;

/** `partial` with the defaults filled in, checked against the schema (throws naming the first problem). */
export function apiConfig(partial: Partial<ApiConfig> = {}): ApiConfig {
  const value = Value.Default(ApiConfig, structuredClone(partial)) as ApiConfig;
  const first = Value.Errors(ApiConfig, value).First();
  if (first) throw new Error(`api${first.path.replaceAll('/', '.')}: ${first.message}`);
  return value;
}
