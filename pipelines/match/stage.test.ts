import { describe, expect, it } from 'vitest';
import { validateOrThrow } from '../../config/validate.ts';
import { MatchConfig } from './config.ts';
import { createMatchStage } from './stage.ts';
import { eventId } from './decide.ts';
import { createExactFaceIndex } from './exact-index.ts';
import { WatchListRules } from './list-rules.ts';
import type { FaceEvent } from '../../schemas/records.ts';
import { faceEmbedding, facePost, mockContext, unit } from '../runtime/testing/index.ts';
import { buildConfig } from '../../config/load.ts';
import { modelThresholdDefaults } from '../../config/model-defaults.ts';
import { createCameraSettingsView } from '../cameras/settings-view.ts';

const config = (over: Record<string, unknown> = {}) => validateOrThrow(MatchConfig, { confidence_threshold: 0.45, ...over }, 'match');
const index = createExactFaceIndex({
  dossiers: [
    { name: 'alice', faces: [{ id: 'a1', watchList: 'staff', vector: unit([1, 0, 0]) }, { id: 'a2', watchList: 'staff', vector: unit([1, 0.3, 0]) }] },
    { name: 'bob', faces: [{ id: 'b1', watchList: 'staff', vector: unit([0, 1, 0]) }] },
  ],
});

describe('match decisions', () => {
  it('event ids are deterministic 16-hex hashes of camera, track and post number', () => {
    expect(eventId('cam', 'cam-1', 1)).toMatch(/^[0-9a-f]{16}$/);
    expect(eventId('cam', 'cam-1', 1)).toBe(eventId('cam', 'cam-1', 1));
    expect(new Set([eventId('cam', 'cam-1', 1), eventId('cam', 'cam-1', 2), eventId('cam', 'cam-11', 1), eventId('cam2', 'cam-1', 1)]).size).toBe(4);
  });
});

describe('match stage', () => {
  it('turns embeddings into events with top-k candidates and the threshold decision', async () => {
    const stage = createMatchStage({ config: config({ confidence_threshold: 0.9, max_candidates: 1 }), index });
    const ctx = mockContext<FaceEvent>();
    const known = faceEmbedding(facePost({ trackId: 'cam-1-1', camera: 'cam-1', postNo: 2 }), unit([1, 0.05, 0]));
    const unknown = faceEmbedding(facePost({ trackId: 'cam-1-2', camera: 'cam-1' }), unit([0.5, 0.5, 0.7]));
    await stage.process([known, unknown], ctx);
    const [a, b] = ctx.take();
    expect(a?.id).toBe(eventId('cam-1', 'cam-1-1', 2));
    expect([a?.matched, a?.dossier, a?.candidates.map((c) => c.dossierFace)]).toEqual([true, 'alice', ['a1']]);
    expect(a?.embedding).toBe(known);
    expect([b?.matched, b?.dossier, b?.candidates.length]).toEqual([false, null, 1]);
    expect(b?.confidence).toBeGreaterThan(0);
    expect(ctx.counts.get('events_matched')).toBe(1);
    expect(ctx.counts.get('events_unmatched')).toBe(1);
  });

  it('marks alerts by each camera’s alert mode, its group’s, or the global one, read per record', async () => {
    const global = buildConfig(modelThresholdDefaults(), { match: { confidence_threshold: 0.45, alert_mode: 'on_all', alert_mode_by_camera_group: { '2': 'on_unknowns' } } });
    const view = createCameraSettingsView(global);
    view.set('knowns', { alert_mode: 'on_knowns' });
    view.set('grouped', {}, '2');
    const stage = createMatchStage({ config: global.match, index, settings: view });
    const ctx = mockContext<FaceEvent>();
    const alice = unit([1, 0.05, 0]);
    const stranger = unit([0, 0, 1]);
    const events = (camera: string) => [faceEmbedding(facePost({ camera, trackId: `${camera}-1` }), alice), faceEmbedding(facePost({ camera, trackId: `${camera}-2` }), stranger)];
    await stage.process([...events('knowns'), ...events('grouped'), ...events('other')], ctx);
    expect(ctx.take().map((e) => [e.embedding.post.camera, e.matched, e.alert])).toEqual([
      ['knowns', true, true],
      ['knowns', false, false],
      ['grouped', true, false],
      ['grouped', false, true],
      ['other', true, true],
      ['other', false, true],
    ]);
    expect(ctx.counts.get('events_alert')).toBe(4);
    view.set('knowns', { alert_mode: 'none' });
    await stage.process(events('knowns'), ctx);
    expect(ctx.take().map((e) => e.alert)).toEqual([false, false]);
  });

  it("decides with each face's lists and each camera's threshold and group, as the view and the rules learn them", async () => {
    const global = buildConfig(modelThresholdDefaults(), { match: { confidence_threshold: 0.45 } });
    const view = createCameraSettingsView(global);
    const job = { name: 'c', url: 'rtsp://203.0.113.5/s', enabled: true, version: 1, fps: null, settings: {}, restarts: 0 };
    view.setJob({ ...job, cameraId: 'strict', group: '1', confidenceThreshold: 0.9999 });
    view.setJob({ ...job, cameraId: 'hall', group: '2', confidenceThreshold: null });
    // the camera manager sets the settings again when it starts the job: the threshold stays
    view.set('strict', {}, '1');
    expect(view.matching('strict')).toEqual({ group: '1', threshold: 0.9999 });
    const rules = new WatchListRules();
    rules.setFace('a1', [{ id: 'staff', confidenceThreshold: null, cameraGroups: [] }, { id: 'hall-only', confidenceThreshold: null, cameraGroups: ['2'] }]);
    const stage = createMatchStage({ config: global.match, index, settings: view, rules });
    const ctx = mockContext<FaceEvent>();
    const alice = unit([1, 0.05, 0]);
    await stage.process(['strict', 'hall', 'unknown'].map((camera) => faceEmbedding(facePost({ camera, trackId: `${camera}-1` }), alice)), ctx);
    expect(ctx.take().map((e) => [e.embedding.post.camera, e.dossier, e.candidates[0]!.matchedWatchLists])).toEqual([
      ['strict', null, []],
      ['hall', 'alice', ['staff', 'hall-only']],
      ['unknown', 'alice', ['staff']],
    ]);
    view.delete('strict');
    expect(view.matching('strict')).toEqual({ group: null, threshold: null });
  });

  it('uses a replaced index for later records', async () => {
    const stage = createMatchStage({ config: config(), index: createExactFaceIndex({ dossiers: [] }) });
    const ctx = mockContext<FaceEvent>();
    const e = faceEmbedding(facePost(), unit([0, 1, 0]));
    await stage.process([e], ctx);
    stage.setIndex(index);
    await stage.process([e], ctx);
    expect(ctx.take().map((ev) => ev.dossier)).toEqual([null, 'bob']);
  });
});
