// The stores and services routes use, as named decorators (routes never import pg or @clickhouse/client).
import type { ClickHouseClient } from '@clickhouse/client';
import fp from 'fastify-plugin';
import type { Db } from '../../stores/postgres/db.ts';
import type { EnrolConfig } from '../../pipelines/match/config.ts';
import type { PhotoLimits } from '../../models/image/read-photo.ts';
import type { ApiConfig } from '../config.ts';
import type { ApiDeps } from '../deps.ts';
import type { FaceService } from '../photos/face-service.ts';
import { createUrlPolicy, type UrlVerdict } from '../network/url-policy.ts';
import { createRetroMatcher, type RetroMatcher } from '../retro-match/matcher.ts';
import type { CameraRuntime } from '../../pipelines/cameras/manager.ts';

declare module 'fastify' {
  interface FastifyInstance {
    readonly db: Db;
    readonly clickhouse: ClickHouseClient;
    readonly faces: FaceService;
    readonly enrolDefaults: EnrolConfig;
    readonly photoLimits: PhotoLimits;
    /** FindFace deny-networks for camera (and later webhook) URLs */
    readonly checkUrl: (url: string) => Promise<UrlVerdict>;
    /** searches past events for each face added to a dossier (api/retro-match/); `idle()` waits for the searches */
    readonly retroMatch: RetroMatcher;
    /** the cameras this process runs (serve), or null */
    readonly cameraRuntime: CameraRuntime | null;
    /** episode clips' root (ApiDeps.clipsDir); null when none are kept */
    readonly clipsDir: string | null;
    /** the frame store's directory (ApiDeps.framesDir); null when frames are not kept */
    readonly framesDir: string | null;
  }
}

/** URL schemes a camera may use (FindFace: RTSP/HTTP streams and file paths). */
export const CAMERA_URL_SCHEMES = ['rtsp', 'rtsps', 'http', 'https', 'file'] as const;

export const servicesPlugin = fp(
  async (app, opts: { deps: ApiDeps; config: ApiConfig }) => {
    app.decorate('db', opts.deps.db);
    app.decorate('clickhouse', opts.deps.clickhouse);
    app.decorate('faces', opts.deps.faces);
    app.decorate('enrolDefaults', opts.deps.enrol);
    app.decorate('clipsDir', opts.deps.clipsDir ?? null);
    app.decorate('framesDir', opts.deps.framesDir ?? null);
    app.decorate('photoLimits', { maxBytes: opts.config.image_max_bytes, maxSide: opts.config.image_max_side });
    app.decorate('checkUrl', createUrlPolicy({ allowedNetworks: opts.config.allowed_networks, schemes: CAMERA_URL_SCHEMES }));
    const retro = createRetroMatcher({
      clickhouse: opts.deps.clickhouse,
      db: opts.deps.db,
      config: opts.config.retro_match,
      confidenceThreshold: opts.deps.faces.confidenceThreshold,
      clock: opts.deps.clock ?? Date.now,
      onError: (err, face) => app.log.error({ err, dossier_face: face.faceId }, 'retro-match search failed'),
    });
    app.decorate('retroMatch', retro);
    app.decorate('cameraRuntime', opts.deps.cameras ?? null);
    // a search still running would query a client the composition root closes after the app
    app.addHook('onClose', () => retro.idle());
  },
  { name: 'facestream-services' },
);
