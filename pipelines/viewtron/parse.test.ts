import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FACE_PHOTO } from '../../test/paths.ts';
import { deviceTimeMs } from './device-time.ts';
import { parsePush, ViewtronPushError, type FacePush } from './parse.ts';
import { b64, IPC_ALARM_STATUS, ipcFacePush, KEEPALIVES, nvrFacePush } from './testing/pushes.ts';

const photo = new Uint8Array(readFileSync(FACE_PHOTO('img20.jpg')));
const crop = new Uint8Array(readFileSync(FACE_PHOTO('img21.jpg')));

const errorOf = (body: string) => {
  try {
    parsePush(body);
  } catch (err) {
    if (err instanceof ViewtronPushError) return { code: err.code, message: err.message };
    throw err;
  }
  return expect.fail('expected a ViewtronPushError');
};

describe('parsePush: face pushes', () => {
  it('IPC v1.x VFD: device from the body, µs time, normalised box, both images decoded, no device attributes', () => {
    const push = parsePush(ipcFacePush({ scene: b64(photo), faces: [{ targetId: 7, rect: { x1: 4000, y1: 2000, x2: 4600, y2: 3100 }, crop: b64(crop) }] })) as FacePush;
    expect(push).toMatchObject({
      kind: 'face',
      format: 'ipc-v1',
      smartType: 'VFD',
      device: { name: 'Lobby Cam', mac: '00:11:22:33:44:55', sn: 'EXAMPLESN0001' },
      timeMs: Date.UTC(2026, 0, 1, 0, 0, 0, 250),
      rectUnits: 'normalized',
    });
    expect(Buffer.from(push.scene!).equals(Buffer.from(photo))).toBe(true);
    expect(push.faces).toHaveLength(1);
    expect(push.faces[0]).toMatchObject({ targetId: '7', rect: { x1: 4000, y1: 2000, x2: 4600, y2: 3100 }, attributes: {} });
    expect(Buffer.from(push.faces[0]!.crop!).equals(Buffer.from(crop))).toBe(true);
  });

  it('IPC v1.x VFD_MATCH parses like VFD, smartType compared without case', () => {
    expect(parsePush(ipcFacePush({ smartType: 'VFD_MATCH', faces: [{ crop: b64(crop) }] }))).toMatchObject({ kind: 'face', smartType: 'VFD_MATCH' });
    expect(parsePush(ipcFacePush({ smartType: 'vfd', faces: [{ crop: b64(crop) }] }))).toMatchObject({ kind: 'face', smartType: 'VFD' });
  });

  it('NVR v2.0 videoFaceDetect: NVR identity and channel, device attributes kept raw, every item one face', () => {
    const push = parsePush(
      nvrFacePush({
        scene: b64(photo),
        faces: [
          { targetId: 21, rect: { x1: 600, y1: 150, x2: 720, y2: 270 }, crop: b64(crop), attributes: { age: 'youth', sex: 'female', glasses: 'no', mask: 'yes' } },
          { targetId: 22, crop: b64(crop), attributes: { age: 'middleAged' } },
        ],
      }),
    ) as FacePush;
    expect(push).toMatchObject({ kind: 'face', format: 'nvr-v2', smartType: 'videoFaceDetect', device: { name: 'Main NVR', ip: '10.0.0.20', mac: '00:11:22:33:44:66', channel: '3' }, rectUnits: 'unknown' });
    expect(push.faces.map((f) => [f.targetId, f.attributes])).toEqual([
      ['21', { age: 'youth', sex: 'female', glasses: 'no', mask: 'yes' }],
      ['22', { age: 'middleAged' }],
    ]);
  });

  it('empty attributes and empty image elements are absent, not "None"', () => {
    const body = nvrFacePush({ scene: b64(photo), faces: [{ rect: { x1: 1, y1: 1, x2: 50, y2: 50 }, crop: '', attributes: { age: '', sex: 'male' } }] });
    const push = parsePush(body) as FacePush;
    expect(push.faces[0]).toEqual({ rect: { x1: 1, y1: 1, x2: 50, y2: 50 }, attributes: { sex: 'male' } });
  });

  it('an NVR face post with no faceListInfo but a full frame is a face push with no items (faces are found in the frame)', () => {
    expect(parsePush(nvrFacePush({ scene: b64(photo), faces: [] }))).toMatchObject({ kind: 'face', faces: [] });
  });
});

describe('parsePush: what is answered and set aside', () => {
  it('every keepalive form', () => {
    expect(parsePush(KEEPALIVES.empty)).toEqual({ kind: 'keepalive', device: {} });
    expect(parsePush(KEEPALIVES.nvr)).toEqual({ kind: 'keepalive', device: { name: 'Main NVR', ip: '10.0.0.20', mac: '00:11:22:33:44:66' } });
    expect(parsePush(KEEPALIVES.ipcApi21)).toMatchObject({ kind: 'keepalive', device: { mac: '00:11:22:33:44:77' } });
    expect(parsePush(KEEPALIVES.ipcV1)).toEqual({ kind: 'keepalive', device: { name: 'Lobby Cam', mac: '00:11:22:33:44:55', sn: 'EXAMPLESN0001', ip: '10.0.0.31' } });
  });

  it('alarm status, traject and other known event kinds', () => {
    expect(parsePush(IPC_ALARM_STATUS)).toMatchObject({ kind: 'alarm-status', device: { mac: '00:11:22:33:44:55', ip: '10.0.0.31' } });
    expect(parsePush('<config version="1.7" xmlns="http://www.ipc.com/ver10"><traject type="list" count="0"></traject></config>')).toMatchObject({ kind: 'traject' });
    expect(parsePush(ipcFacePush({ smartType: 'VEHICE', faces: [] }))).toMatchObject({ kind: 'other-event', smartType: 'VEHICE' });
    expect(parsePush(nvrFacePush({ smartType: 'regionIntrusion', faces: [] }))).toMatchObject({ kind: 'other-event', smartType: 'regionIntrusion' });
  });
});

describe('parsePush: bad input names its reason', () => {
  const good = ipcFacePush({ faces: [{ crop: b64(crop) }] });

  it('malformed, truncated or non-XML bodies', () => {
    expect(errorOf(good.slice(0, good.length - 20))).toMatchObject({ code: 'malformed_xml' });
    expect(errorOf('<config version="1.7"><smartType>VFD</smartTyp></config>')).toMatchObject({ code: 'malformed_xml', message: expect.stringMatching(/line 1/) });
    expect(errorOf('hello')).toMatchObject({ code: 'malformed_xml' });
    expect(errorOf('<html><body>hi</body></html>')).toMatchObject({ code: 'unknown_document' });
  });

  it('bad base64 and base64 that is no JPEG', () => {
    expect(errorOf(ipcFacePush({ faces: [{ crop: 'not*base64!' }] }))).toMatchObject({ code: 'bad_base64', message: expect.stringMatching(/face 1's crop/) });
    expect(errorOf(ipcFacePush({ scene: b64(photo).slice(0, 4001), faces: [{ crop: b64(crop) }] }))).toMatchObject({ code: 'bad_base64', message: expect.stringMatching(/full frame/) });
    expect(errorOf(ipcFacePush({ faces: [{ crop: 'BASE64STUB' }] }))).toMatchObject({ code: 'bad_image' });
  });

  it('missing images', () => {
    expect(errorOf(ipcFacePush({ faces: [{ targetId: 1 }] }))).toMatchObject({ code: 'missing_image' });
    expect(errorOf(nvrFacePush({ faces: [] }))).toMatchObject({ code: 'missing_image' });
    // a box alone is not enough without the frame it is in
    expect(errorOf(nvrFacePush({ faces: [{ rect: { x1: 1, y1: 1, x2: 9, y2: 9 } }] }))).toMatchObject({ code: 'missing_image' });
  });

  it('unknown smartType and messageType', () => {
    expect(errorOf(ipcFacePush({ smartType: 'FACE', faces: [] }))).toMatchObject({ code: 'unknown_smart_type', message: expect.stringMatching(/"FACE"/) });
    expect(errorOf(nvrFacePush({ smartType: 'faceDetection', faces: [] }))).toMatchObject({ code: 'unknown_smart_type' });
    expect(errorOf('<config version="2.0.0"><messageType>weird</messageType></config>')).toMatchObject({ code: 'unknown_message_type' });
  });
});

describe('deviceTimeMs', () => {
  it('tells s, ms and µs apart by magnitude and refuses garbage', () => {
    expect(deviceTimeMs('1767225600')).toBe(1767225600000);
    expect(deviceTimeMs('1767225600250')).toBe(1767225600250);
    expect(deviceTimeMs('1767225600250999')).toBe(1767225600250);
    expect(deviceTimeMs('18445822972087551616')).toBeUndefined();
    expect(deviceTimeMs('12ab')).toBeUndefined();
    expect(deviceTimeMs(undefined)).toBeUndefined();
  });
});
