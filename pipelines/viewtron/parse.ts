// Viewtron push bodies → typed pushes. Pure: no IO, no clock. Classification follows VIEWTRON.md §1.4 and §2.3
// with its receiver recommendations: any body starting with `<` is parsed (no declaration needed), the XML is
// validated first (fast-xml-parser does not throw on truncated XML), local names only, every `item` a list,
// tag values kept as text, empty and missing values alike absent, base64 checked strictly and images by their
// JPEG magic. Anything a face push cannot be used with is a ViewtronPushError naming why.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { deviceTimeMs } from './device-time.ts';

export const PUSH_ERROR_CODES = ['malformed_xml', 'unknown_document', 'unknown_message_type', 'unknown_smart_type', 'bad_base64', 'bad_image', 'missing_image'] as const;
export type PushErrorCode = (typeof PUSH_ERROR_CODES)[number];

export class ViewtronPushError extends Error {
  constructor(
    readonly code: PushErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ViewtronPushError';
  }
}

export type PushFormat = 'ipc-v1' | 'nvr-v2';

/** Who sent a push, as far as its body says. */
export interface DeviceIdentity {
  readonly name?: string;
  /** lower case, colon-separated */
  readonly mac?: string;
  readonly sn?: string;
  /** the NVR's own address (NVR posts); IPC bodies carry none, the receiver adds the peer's */
  readonly ip?: string;
  /** NVR channel, or the channel API-2.1 IPC firmware sends */
  readonly channel?: string;
}

/** The device's own reading of a face (NVR only), raw categories as sent (VIEWTRON.md §3.2, §6.2). */
export interface DeviceFaceAttributes {
  readonly age?: string;
  readonly sex?: string;
  readonly glasses?: string;
  readonly mask?: string;
}

/** x2/y2 exclusive, in the device's units (see `PushedFace.rectUnits`). */
export interface DeviceRect {
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
}

export interface PushedFace {
  readonly targetId?: string;
  readonly rect?: DeviceRect;
  /** JPEG bytes of the device's face crop */
  readonly crop?: Uint8Array;
  readonly attributes: DeviceFaceAttributes;
}

export interface FacePush {
  readonly kind: 'face';
  readonly format: PushFormat;
  /** as sent: VFD, VFD_MATCH, videoFaceDetect */
  readonly smartType: string;
  readonly device: DeviceIdentity;
  /** ms since the epoch from currentTime; absent when missing or implausible (use the receive time) */
  readonly timeMs?: number;
  /** JPEG bytes of the full frame ("original picture") */
  readonly scene?: Uint8Array;
  /** IPC rects are 0–10000 of the scene; NVR rects' scale is open (VIEWTRON.md §3.5) */
  readonly rectUnits: 'normalized' | 'unknown';
  readonly faces: readonly PushedFace[];
}

/** Pushes answered with success and set aside. */
export interface SetAsidePush {
  readonly kind: 'keepalive' | 'alarm-status' | 'traject' | 'other-event';
  readonly device: DeviceIdentity;
  /** other-event: the smartType */
  readonly smartType?: string;
}

export type ViewtronPush = FacePush | SetAsidePush;

// VIEWTRON.md §2.2: the face codes, and the other known codes (set aside, not errors)
const IPC_FACE = ['VFD', 'VFD_MATCH'];
const IPC_OTHER = ['VEHICE', 'VEHICLE', 'PEA', 'AOIENTRY', 'AOILEAVE', 'LOITER', 'PVD', 'PASSLINECOUNT', 'TRAFFIC', 'VSD'];
const NVR_FACE = ['videoFaceDetect'];
const NVR_OTHER = ['vehicle', 'regionIntrusion', 'lineCrossing', 'targetCountingByLine', 'targetCountingByArea', 'videoMetadata'];

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: false,
  isArray: (name) => name === 'item',
});

type Node = Record<string, unknown>;
const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);
const child = (n: unknown, name: string): unknown => (isNode(n) ? n[name] : undefined);

/** The element's text, whether bare, CDATA or beside XML attributes; empty and missing both undefined. */
function text(n: unknown): string | undefined {
  const v = isNode(n) ? n['#text'] : n;
  if (typeof v !== 'string' && typeof v !== 'number') return undefined;
  const s = String(v).trim();
  return s === '' ? undefined : s;
}

const textAt = (n: unknown, ...path: string[]): string | undefined => text(path.reduce((at, name) => child(at, name), n));

function numberAt(n: unknown, ...path: string[]): number | undefined {
  const s = textAt(n, ...path);
  return s !== undefined && /^-?\d+(\.\d+)?$/.test(s) ? Number(s) : undefined;
}

function items(n: unknown): unknown[] {
  const list = child(n, 'item');
  return Array.isArray(list) ? list : [];
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Decoded JPEG bytes of a base64 element, undefined when the element is absent or empty. */
export function decodeImage(encoded: string | undefined, what: string): Uint8Array | undefined {
  if (encoded === undefined) return undefined;
  const compact = encoded.replace(/\s+/g, '');
  if (compact.length % 4 === 1 || !BASE64.test(compact)) throw new ViewtronPushError('bad_base64', `${what} is not valid base64`);
  const bytes = Buffer.from(compact, 'base64');
  if (bytes.length < 3 || bytes[0] !== 0xff || bytes[1] !== 0xd8) throw new ViewtronPushError('bad_image', `${what} is not a JPEG image`);
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

const lowerMac = (mac: string | undefined) => mac?.toLowerCase();

function ipcDevice(config: unknown): DeviceIdentity {
  return compact({ name: textAt(config, 'deviceName'), mac: lowerMac(textAt(config, 'mac')), sn: textAt(config, 'sn'), channel: textAt(config, 'channelId') });
}

function nvrDevice(config: unknown): DeviceIdentity {
  const info = child(config, 'deviceInfo');
  return compact({ name: textAt(info, 'deviceName'), mac: lowerMac(textAt(info, 'mac')), ip: textAt(info, 'ip'), channel: textAt(info, 'channelId') });
}

function alarmStatusDevice(config: unknown): DeviceIdentity {
  const info = child(config, 'deviceInfo');
  // IPC status posts spell it macAddress/ipAddress, NVR ones mac/ip
  return compact({
    name: textAt(info, 'deviceName'),
    mac: lowerMac(textAt(info, 'mac') ?? textAt(info, 'macAddress')),
    sn: textAt(info, 'sn'),
    ip: textAt(info, 'ip') ?? textAt(info, 'ipAddress'),
    channel: textAt(info, 'channelId'),
  });
}

function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function rectOf(item: unknown): DeviceRect | undefined {
  const r = child(item, 'rect');
  const [x1, y1, x2, y2] = (['x1', 'y1', 'x2', 'y2'] as const).map((k) => numberAt(r, k));
  if (x1 === undefined || y1 === undefined || x2 === undefined || y2 === undefined || x2 <= x1 || y2 <= y1) return undefined;
  return { x1, y1, x2, y2 };
}

function faceOf(item: unknown, index: number, withAttributes: boolean): PushedFace {
  const targetId = textAt(item, 'targetId');
  const rect = rectOf(item);
  const crop = decodeImage(textAt(item, 'targetImageData', 'targetBase64Data'), `face ${index + 1}'s crop (targetBase64Data)`);
  const attributes: DeviceFaceAttributes = withAttributes
    ? compact({ age: textAt(item, 'age'), sex: textAt(item, 'sex'), glasses: textAt(item, 'glasses'), mask: textAt(item, 'mask') })
    : {};
  return compact({ targetId, rect, crop, attributes });
}

function facePush(config: unknown, format: PushFormat, smartType: string): FacePush {
  const scene = decodeImage(textAt(config, 'sourceDataInfo', 'sourceBase64Data'), 'the full frame (sourceBase64Data)');
  const list = format === 'ipc-v1' ? child(config, 'listInfo') : child(config, 'faceListInfo');
  const faces = items(list).map((item, i) => faceOf(item, i, format === 'nvr-v2'));
  if (!scene && faces.length === 0) throw new ViewtronPushError('missing_image', `${smartType} push with no face crop and no full frame`);
  faces.forEach((f, i) => {
    if (!f.crop && !(scene && f.rect)) throw new ViewtronPushError('missing_image', `face ${i + 1} has no crop, and no full frame with its box to take it from`);
  });
  const timeMs = deviceTimeMs(textAt(config, 'currentTime'));
  return compact({
    kind: 'face' as const,
    format,
    smartType,
    device: format === 'ipc-v1' ? ipcDevice(config) : nvrDevice(config),
    timeMs,
    scene,
    rectUnits: format === 'ipc-v1' ? ('normalized' as const) : ('unknown' as const),
    faces,
  });
}

const findCode = (codes: readonly string[], value: string) => codes.find((c) => c.toLowerCase() === value.toLowerCase());

function byCode(config: unknown, format: PushFormat, smartType: string, face: readonly string[], other: readonly string[]): ViewtronPush {
  const faceCode = findCode(face, smartType);
  if (faceCode) return facePush(config, format, faceCode);
  const device = format === 'ipc-v1' ? ipcDevice(config) : nvrDevice(config);
  if (findCode(other, smartType)) return { kind: 'other-event', device, smartType };
  throw new ViewtronPushError('unknown_smart_type', `unknown smartType "${smartType}" (${format})`);
}

/** A push body (UTF-8 XML, or empty) → what it is. Throws ViewtronPushError when it cannot be used. */
export function parsePush(body: string): ViewtronPush {
  const xml = body.replace(/^\uFEFF/, '').trim();
  if (xml === '') return { kind: 'keepalive', device: {} };
  if (!xml.startsWith('<')) throw new ViewtronPushError('malformed_xml', 'the body is not XML');
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new ViewtronPushError('malformed_xml', `malformed XML at line ${valid.err.line}: ${valid.err.msg}`);
  const doc: unknown = parser.parse(xml);
  const legacy = child(doc, 'DeviceInfo');
  if (legacy !== undefined) {
    return { kind: 'keepalive', device: compact({ name: textAt(legacy, 'DeviceName'), mac: lowerMac(textAt(legacy, 'macAddress')), sn: textAt(legacy, 'SN'), ip: textAt(legacy, 'ipAddress') }) };
  }
  const config = child(doc, 'config');
  if (!isNode(config)) throw new ViewtronPushError('unknown_document', 'the root element is neither config nor DeviceInfo');
  if (child(config, 'traject') !== undefined) return { kind: 'traject', device: ipcDevice(config) };
  if (child(config, 'alarmStatusInfo') !== undefined) return { kind: 'alarm-status', device: alarmStatusDevice(config) };
  const version = text(config['@_version']) ?? '';
  const messageType = textAt(config, 'messageType');
  const smartType = textAt(config, 'smartType');
  if (messageType?.toLowerCase() === 'keepalive') return { kind: 'keepalive', device: nvrDevice(config) };
  if (version.startsWith('2')) {
    if (messageType === undefined && smartType !== undefined && findCode([...IPC_FACE, ...IPC_OTHER], smartType)) {
      // VIEWTRON.md §2.1: a 2.x post with no messageType and an IPC code keeps the IPC layout
      return byCode(config, 'ipc-v1', smartType, IPC_FACE, IPC_OTHER);
    }
    if (messageType?.toLowerCase() !== 'alarmdata') throw new ViewtronPushError('unknown_message_type', `messageType "${messageType ?? ''}" is neither alarmData nor keepalive`);
    if (smartType === undefined) throw new ViewtronPushError('unknown_smart_type', 'alarmData push without a smartType');
    return byCode(config, 'nvr-v2', smartType, NVR_FACE, NVR_OTHER);
  }
  if (smartType === undefined) return { kind: 'keepalive', device: ipcDevice(config) };
  return byCode(config, 'ipc-v1', smartType, IPC_FACE, IPC_OTHER);
}
