import { describe, expect, it } from 'vitest';
import { validateOrThrow } from '../../config/validate.ts';
import { cameraIdOf, deviceKey } from './camera-id.ts';
import { ViewtronConfig } from './config.ts';

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
