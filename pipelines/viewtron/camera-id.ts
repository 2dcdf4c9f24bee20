// Which camera a push belongs to. An IPC is its own camera; an NVR forwards many, told apart only by channel
// (VIEWTRON.md §3.2), so its key adds the channel. The operator maps keys to camera ids (viewtron.camera_ids).
import type { ViewtronConfig } from './config.ts';
import type { DeviceIdentity, PushFormat } from './parse.ts';

/** The device itself: MAC, else serial number, else its own or the sender's IP. */
export const deviceOf = (device: DeviceIdentity, peerIp: string): string => device.mac ?? device.sn ?? device.ip ?? peerIp;

/** The device, plus "/<channel>" for NVR pushes. */
export function deviceKey(device: DeviceIdentity, format: PushFormat, peerIp: string): string {
  const base = deviceOf(device, peerIp);
  return format === 'nvr-v2' && device.channel !== undefined ? `${base}/${device.channel}` : base;
}

/** The camera id of a device key, or undefined when unknown devices are refused. */
export function cameraIdOf(key: string, config: Pick<ViewtronConfig, 'camera_ids' | 'accept_unknown_devices'>): string | undefined {
  const mapped = config.camera_ids[key];
  if (mapped !== undefined) return mapped;
  return config.accept_unknown_devices ? `viewtron-${key.replace(/:/g, '').replace('/', '-ch')}` : undefined;
}
