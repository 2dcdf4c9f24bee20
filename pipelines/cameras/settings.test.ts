import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildConfig } from '../../config/load.ts';
import { modelThresholdDefaults } from '../../config/model-defaults.ts';
import { CameraSettingsError, StreamSettings, jobSettingsOf, resolveCameraSettings, resolveJobSettings, streamSettingsOfJob } from './settings.ts';

const global = buildConfig(modelThresholdDefaults(), { ingest: { fps: 5 }, match: { alert_mode_by_camera_group: { '7': 'on_unknowns' } } });

describe('resolveCameraSettings', () => {
  it('gives the global configs (FindFace defaults) for a camera that overrides nothing', () => {
    const s = resolveCameraSettings({}, global);
    expect(s.stream).toMatchObject({ fps: 5, imotion_threshold: 0, roi: '', rot: '', filter_min_face_size: 1, filter_max_face_size: 8192, filter_min_quality: -2 });
    expect(s.stream).toMatchObject({ overall_only: false, realtime_post_interval: 1, realtime_post_every_interval: true, jpeg_quality: 90, alert_mode: 'none' });
    expect(s.rot).toBeNull();
    expect(s.bestShot).toEqual(global.best_shot);
    expect(s.ingest).toEqual(global.ingest);
  });

  it('puts the camera’s keys on top and cuts them per stage', () => {
    const s = resolveCameraSettings({ fps: 2, imotion_threshold: 0.01, rot: '320x240+10+20', roi: '100x100+0+0', filter_min_face_size: 40, overall_only: true, jpeg_quality: 70 }, global);
    expect(s.ingest).toMatchObject({ fps: 2, imotion_threshold: 0.01, max_width: global.ingest.max_width });
    expect(s.rot).toEqual({ width: 320, height: 240, x: 10, y: 20 });
    expect(s.bestShot).toMatchObject({ roi: '100x100+0+0', filter_min_face_size: 40, overall_only: true, filter_max_face_size: 8192 });
    expect(s.jpegQuality).toBe(70);
  });

  it('takes the alert mode from the camera, else its group, else the global one', () => {
    expect(resolveCameraSettings({ alert_mode: 'on_all' }, global, '7').alertMode).toBe('on_all');
    expect(resolveCameraSettings({}, global, '7').alertMode).toBe('on_unknowns');
    expect(resolveCameraSettings({}, global, '8').alertMode).toBe('none');
  });

  it('refuses bad values with the key and the rule', () => {
    const bad = (v: unknown) => () => resolveCameraSettings(v, global, null, 'camera lobby: stream_settings');
    expect(bad({ roi: '10x10' })).toThrow(CameraSettingsError);
    expect(bad({ roi: '10x10' })).toThrow(/camera lobby: stream_settings.*\n.*\/roi: must match pattern/);
    expect(bad({ rot: '0x10+0+0' })).toThrow(/\/rot/);
    expect(bad({ imotion_threshold: -1 })).toThrow(/\/imotion_threshold: must be >= 0/);
    expect(bad({ alert_mode: 'sometimes' })).toThrow(/\/alert_mode/);
    expect(bad({ rio: '' })).toThrow(/unknown key "rio"/);
  });
});

describe('CameraJob.settings', () => {
  const job = { cameraId: 'lobby', fps: 3, group: '7', settings: jobSettingsOf({ roi: '640x360+0+0', filter_min_quality: -1, overall_only: true }) };

  it('holds each value as JSON text, read back to the stream_settings', () => {
    expect(job.settings).toEqual({ roi: '"640x360+0+0"', filter_min_quality: '-1', overall_only: 'true' });
    expect(streamSettingsOfJob(job)).toEqual({ roi: '640x360+0+0', filter_min_quality: -1, overall_only: true, fps: 3 });
    const s = resolveJobSettings(job, global);
    expect(s.stream).toMatchObject({ fps: 3, roi: '640x360+0+0', alert_mode: 'on_unknowns' });
  });

  it('prefers the settings’ fps to the job’s, and names the camera of a bad value', () => {
    expect(streamSettingsOfJob({ ...job, settings: { fps: '1' } }).fps).toBe(1);
    expect(() => resolveJobSettings({ ...job, settings: { roi: '640x360' } }, global)).toThrow(/camera lobby: settings.*\n.*\/roi: "640x360" is not JSON text/);
    expect(() => resolveJobSettings({ ...job, settings: { roi: '"640x360"' } }, global)).toThrow(/camera lobby: stream_settings.*\n.*\/roi: must match/);
  });
});

describe('docs/CAMERAS.md', () => {
  it('names every per-camera setting', () => {
    const doc = readFileSync(new URL('../../docs/CAMERAS.md', import.meta.url), 'utf8');
    for (const key of Object.keys(StreamSettings.properties)) expect(doc, key).toContain(`| \`${key}\` |`);
  });
});
