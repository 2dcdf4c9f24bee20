// Configuration of the Viewtron push receiver: TypeBox schema with descriptions and defaults; the type is derived
// from it. The protocol itself is described in ../shared/docs/VIEWTRON.md and docs/VIEWTRON-RECEIVER.md.
import { Type, type Static } from '@sinclair/typebox';

export const ViewtronConfig = Type.Object(
  {
    enabled: Type.Boolean({
      default: false,
      description: '`facestream serve`: also receive Viewtron pushes (on host:port below), their faces going through match, episodes and the sinks like the cameras\' faces. The viewtron topologies always receive them',
    }),
    host: Type.String({ default: '0.0.0.0', description: 'address the receiver listens on (cameras and NVRs must reach it)' }),
    port: Type.Integer({ default: 8095, minimum: 0, maximum: 65535, description: 'TCP port the receiver listens on: the port set in the device\'s "HTTP POST" settings (0 = any free port)' }),
    path: Type.String({
      default: '',
      description: 'URL path the device posts to (the vendor guides use /API); empty = any path, as the vendor SDKs do. NVRs send an absolute URL in the request line: only its path is compared',
      examples: ['/API'],
    }),
    body_limit_bytes: Type.Integer({
      default: 4 * 1024 * 1024,
      minimum: 1024,
      description: 'largest push accepted; larger ones get 413. Pushes with a full frame run to about 530 KB (VIEWTRON.md §1.2)',
    }),
    camera_ids: Type.Record(Type.String(), Type.String(), {
      default: {},
      description:
        'camera id per device: keys are the device key (MAC in lower case, else serial number, else the sender\'s IP address), followed by "/<channel>" for NVR channels; a device not listed gets "viewtron-<device key>"',
      examples: [{ '00:11:22:33:44:55': 'lobby', '00:11:22:33:44:66/3': 'back-door' }],
    }),
    handoff_timeout_ms: Type.Integer({
      default: 10_000,
      minimum: 100,
      description:
        "how long a face push may wait for its faces to be handed on (acknowledged by Kafka, or taken by the in-process queue) before the device is answered with the failure reply (503), so that it retries; what a device's own wait is, is not documented",
    }),
    accept_unknown_devices: Type.Boolean({ default: true, description: 'false: pushes from devices not in camera_ids are refused with 403' }),
    use_device_time: Type.Boolean({
      default: true,
      description: "events take the device's currentTime (the receive time when it is missing or implausible); false: always the receive time, for devices whose clock is not set",
    }),
    nvr_rect_units: Type.Union([Type.Literal('auto'), Type.Literal('pixels'), Type.Literal('normalized')], {
      default: 'auto',
      description:
        'scale of NVR face boxes, which the vendor leaves open (VIEWTRON.md §3.5): pixels of the full frame, normalized 0–10000, or auto (normalized when a coordinate exceeds the frame size). IPC boxes are always 0–10000',
    }),
  },
  { additionalProperties: false, default: {} },
);
export type ViewtronConfig = Static<typeof ViewtronConfig>;
