import { describe, expect, it } from 'vitest';
import { validateOrThrow } from '../../config/validate.ts';
import { cameraIdOf, deviceKey } from './camera-id.ts';
import { ViewtronConfig } from './config.ts';
import { rectInPixels } from './face-posts.ts';

const config = (over: Record<string, unknown> = {}) => validateOrThrow(ViewtronConfig, over, 'viewtron');

describe('camera of a push', () => {
  it('device key: MAC, else serial, else IP; NVR pushes add their channel', () => {
    expect(deviceKey({ mac: '00:11:22:33:44:55', sn: 'SN1', channel: '1' }, 'ipc-v1', '10.0.0.9')).toBe('00:11:22:33:44:55');
    expect(deviceKey({ sn: 'SN1' }, 'ipc-v1', '10.0.0.9')).toBe('SN1');
    expect(deviceKey({}, 'ipc-v1', '10.0.0.9')).toBe('10.0.0.9');
    expect(deviceKey({ mac: '00:11:22:33:44:66', ip: '10.0.0.20', channel: '3' }, 'nvr-v2', '10.0.0.20')).toBe('00:11:22:33:44:66/3');
  });

  it('camera id: mapped, else derived from the key, else refused when unknown devices are', () => {
    const mapped = config({ camera_ids: { '00:11:22:33:44:66/3': 'back-door' } });
    expect(cameraIdOf('00:11:22:33:44:66/3', mapped)).toBe('back-door');
    expect(cameraIdOf('00:11:22:33:44:66/4', mapped)).toBe('viewtron-001122334466-ch4');
    expect(cameraIdOf('00:11:22:33:44:66/4', config({ accept_unknown_devices: false }))).toBeUndefined();
  });
});

describe('rectInPixels', () => {
  const frame = { width: 1280, height: 720 };
  it('IPC boxes are 0–10000 of the frame', () => {
    expect(rectInPixels({ x1: 5000, y1: 5000, x2: 7500, y2: 10000 }, frame, 'normalized', 'pixels')).toEqual({ x1: 640, y1: 360, x2: 960, y2: 720 });
  });

  it('NVR boxes: pixels or normalized as configured; auto takes a box past the frame for normalized', () => {
    const px = { x1: 854, y1: 176, x2: 978, y2: 300 };
    expect(rectInPixels(px, frame, 'unknown', 'auto')).toEqual(px);
    expect(rectInPixels({ x1: 1000, y1: 1000, x2: 2000, y2: 2000 }, frame, 'unknown', 'normalized')).toEqual({ x1: 128, y1: 72, x2: 256, y2: 144 });
    expect(rectInPixels({ x1: 6000, y1: 2000, x2: 7000, y2: 4000 }, frame, 'unknown', 'auto')).toEqual({ x1: 768, y1: 144, x2: 896, y2: 288 });
    // pixels said, but the box is not in the frame: no box rather than a wrong one
    expect(rectInPixels({ x1: 6000, y1: 2000, x2: 7000, y2: 4000 }, frame, 'unknown', 'pixels')).toBeUndefined();
  });
});
