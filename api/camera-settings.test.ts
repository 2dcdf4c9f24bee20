// A camera's stream_settings through the API: validated by pipelines/cameras/settings.ts (400 naming the key and
// the rule), stored as given (only the keys the camera overrides, no defaults filled in).
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachBackend } from '../stores/postgres/testing/backends.ts';
import { testApi } from './testing.ts';

const json = (r: { body: string }) => JSON.parse(r.body) as Record<string, unknown> & { error?: { code: string; field?: string; message: string } };

describeEachBackend('camera stream_settings', (ctx) => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await testApi({ db: ctx.db });
  });
  afterAll(async () => {
    await app?.close();
  });
  const url = 'rtsp://203.0.113.5/stream1';

  it('stores valid settings as given and refuses a malformed ROI, an unknown key and a bad alert mode with 400', async () => {
    const stream_settings = { roi: '640x360+0+0', imotion_threshold: 0.002, filter_min_face_size: 40, alert_mode: 'on_knowns' };
    const created = await app.inject({ method: 'POST', url: '/api/v1/cameras', payload: { name: 'settings-1', url, stream_settings } });
    expect(created.statusCode).toBe(201);
    const cam = json(created);
    expect(cam['stream_settings']).toEqual(stream_settings);

    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ roi: '640x360' }, 'stream_settings.roi', /pattern/],
      [{ rot: '0x360+0+0' }, 'stream_settings.rot', /pattern/],
      [{ imotion_threshold: 2 }, 'stream_settings.imotion_threshold', /<= 1/],
      [{ alert_mode: 'sometimes' }, 'stream_settings.alert_mode', /./],
      [{ ffmpeg_params: [] }, 'stream_settings', /ffmpeg_params/],
    ];
    for (const [settings, field, reason] of cases) {
      for (const r of [
        await app.inject({ method: 'POST', url: '/api/v1/cameras', payload: { name: 'settings-2', url, stream_settings: settings } }),
        await app.inject({ method: 'PATCH', url: `/api/v1/cameras/${cam['id']}`, payload: { stream_settings: settings } }),
      ]) {
        expect(r.statusCode, JSON.stringify(settings)).toBe(400);
        expect(json(r).error, JSON.stringify(settings)).toMatchObject({ code: 'FS_ERR_VALIDATION', field: expect.stringContaining(field) });
        expect(json(r).error?.message).toMatch(reason);
      }
    }
    expect(json(await app.inject({ method: 'GET', url: `/api/v1/cameras/${cam['id']}` }))['stream_settings']).toEqual(stream_settings);
  });
});
