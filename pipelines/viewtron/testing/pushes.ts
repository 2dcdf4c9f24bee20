// Push bodies shaped like VIEWTRON.md §4's constructed examples (and the SDK fixtures they follow), with real
// JPEG bytes where a test wants them. For tests of the parser, the receiver and the pipeline behind it.
import sharp from 'sharp';
import type { Box, RgbImage } from '../../../schemas/records.ts';
import type { DeviceFaceAttributes, DeviceRect } from '../parse.ts';

export interface FaceItem {
  readonly targetId?: number;
  readonly rect?: DeviceRect;
  /** base64 text as the device would put it (or anything a test wants to try) */
  readonly crop?: string;
  readonly attributes?: DeviceFaceAttributes;
}

export interface FacePushShape {
  readonly smartType?: string;
  readonly currentTime?: string;
  readonly scene?: string;
  readonly sceneSize?: { readonly width: number; readonly height: number };
  readonly faces: readonly FaceItem[];
}

export const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

const rectXml = (r: DeviceRect | undefined, t: (ty: string) => string) =>
  r ? `<rect><x1${t('uint32')}>${r.x1}</x1><y1${t('uint32')}>${r.y1}</y1><x2${t('uint32')}>${r.x2}</x2><y2${t('uint32')}>${r.y2}</y2></rect>` : '';

/** IPC v1.x direct post (VIEWTRON.md §4.1): type annotations, CDATA, listInfo, capitalised Width/Height. */
export function ipcFacePush(p: FacePushShape & { readonly deviceName?: string; readonly mac?: string }): string {
  const t = (ty: string) => ` type="${ty}"`;
  const size = p.sceneSize ?? { width: 1920, height: 1080 };
  const scene =
    p.scene === undefined
      ? ''
      : `<sourceDataInfo><dataType${t('uint32')}>0</dataType><width${t('uint32')}>${size.width}</width><height${t('uint32')}>${size.height}</height>` +
        `<sourceBase64Length${t('uint32')}>${p.scene.length}</sourceBase64Length><sourceBase64Data${t('string')}><![CDATA[${p.scene}]]></sourceBase64Data></sourceDataInfo>`;
  const items = p.faces
    .map(
      (f) =>
        `<item>${f.targetId !== undefined ? `<targetId${t('tuint32')}>${f.targetId}</targetId>` : ''}${rectXml(f.rect, t)}` +
        (f.crop === undefined
          ? ''
          : `<targetImageData><dataType${t('uint32')}>0</dataType><targetType${t('uint32')}>1</targetType><Width${t('tuint32')}>184</Width><Height${t('tuint32')}>184</Height>` +
            `<targetBase64Length${t('uint32')}>${f.crop.length}</targetBase64Length><targetBase64Data${t('string')}><![CDATA[${f.crop}]]></targetBase64Data></targetImageData>`) +
        '</item>',
    )
    .join('');
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n<config version="1.7" xmlns="http://www.ipc.com/ver10">' +
    `<smartType type="openAlramObj">${p.smartType ?? 'VFD'}</smartType><subscribeOption type="subscribeRelation">FEATURE_RESULT</subscribeOption>` +
    `<currentTime type="tint64">${p.currentTime ?? '1767225600250000'}</currentTime>` +
    `<mac type="string"><![CDATA[${p.mac ?? '00:11:22:33:44:55'}]]></mac><sn type="string"><![CDATA[EXAMPLESN0001]]></sn>` +
    `<deviceName type="string"><![CDATA[${p.deviceName ?? 'Lobby Cam'}]]></deviceName>${scene}` +
    `<listInfo type="list" count="${p.faces.length}">${items}</listInfo></config>`
  );
}

/** NVR v2.0 forwarded post (VIEWTRON.md §4.2): no annotations, deviceInfo with channel, faceListInfo with attributes. */
export function nvrFacePush(p: FacePushShape & { readonly channel?: number; readonly mac?: string }): string {
  const size = p.sceneSize ?? { width: 1280, height: 720 };
  const scene =
    p.scene === undefined
      ? ''
      : `<sourceDataInfo><dataType>0</dataType><width>${size.width}</width><height>${size.height}</height><sourceBase64Length>${p.scene.length}</sourceBase64Length><sourceBase64Data>${p.scene}</sourceBase64Data></sourceDataInfo>`;
  const attrs = (a: DeviceFaceAttributes | undefined) =>
    a ? (['age', 'sex', 'glasses', 'mask'] as const).map((k) => (a[k] === undefined ? '' : `<${k}>${a[k]}</${k}>`)).join('') : '';
  const items = p.faces
    .map(
      (f) =>
        `<item>${f.targetId !== undefined ? `<targetId>${f.targetId}</targetId>` : ''}${rectXml(f.rect, () => '')}${attrs(f.attributes)}` +
        (f.crop === undefined
          ? ''
          : `<targetImageData><dataType>0</dataType><width>184</width><height>184</height><targetBase64Length>${f.crop.length}</targetBase64Length><targetBase64Data>${f.crop}</targetBase64Data></targetImageData>`) +
        '</item>',
    )
    .join('');
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n<config version="2.0.0" xmlns="http://www.ipc.com/ver10"><messageType>alarmData</messageType>' +
    `<deviceInfo><deviceName><![CDATA[Main NVR]]></deviceName><ip><![CDATA[10.0.0.20]]></ip><mac><![CDATA[${p.mac ?? '00:11:22:33:44:66'}]]></mac><channelId>${p.channel ?? 3}</channelId></deviceInfo>` +
    `<smartType>${p.smartType ?? 'videoFaceDetect'}</smartType><currentTime>${p.currentTime ?? '1767225600250000'}</currentTime>${scene}` +
    (p.faces.length > 0 ? `<faceListInfo>${items}</faceListInfo>` : '') +
    '</config>'
  );
}

/** The keepalive forms of VIEWTRON.md §4.3: NVR v2.0, IPC API-2.1 (no declaration), IPC v1 DeviceInfo. */
export const KEEPALIVES = {
  nvr:
    '<?xml version="1.0" encoding="UTF-8"?>\n<config version="2.0.0" xmlns="http://www.ipc.com/ver10"><messageType>keepalive</messageType>' +
    '<deviceInfo><deviceName><![CDATA[Main NVR]]></deviceName><ip><![CDATA[10.0.0.20]]></ip><mac><![CDATA[00:11:22:33:44:66]]></mac></deviceInfo></config>',
  ipcApi21:
    '<config version="1.7" xmlns="http://www.ipc.com/ver10"><messageType>keepalive</messageType>' +
    '<deviceInfo><deviceName><![CDATA[LPR Cam]]></deviceName><ip><![CDATA[10.0.0.32]]></ip><mac><![CDATA[00:11:22:33:44:77]]></mac></deviceInfo></config>',
  ipcV1:
    '<?xml version="1.0" encoding="UTF-8"?>\n<DeviceInfo><DeviceName>Lobby Cam</DeviceName><DeviceNo.>1</DeviceNo.><SN><![CDATA[EXAMPLESN0001]]></SN>' +
    '<ipAddress>10.0.0.31</ipAddress><macAddress>00:11:22:33:44:55</macAddress></DeviceInfo>',
  empty: '',
} as const;

/** IPC alarm status (VIEWTRON.md §1.4): VFDAlarm on. */
export const IPC_ALARM_STATUS =
  '<?xml version="1.0" encoding="UTF-8"?>\n<config version="1.0" xmlns="http://www.ipc.com/ver10"><alarmStatusInfo><VFDAlarm type="boolean" id="1">true</VFDAlarm></alarmStatusInfo>' +
  '<dataTime>01-01-2026 12:00:00 AM</dataTime><deviceInfo><deviceName>Lobby Cam</deviceName><deviceNo.>1</deviceNo.><sn>EXAMPLESN0001</sn><ipAddress>10.0.0.31</ipAddress><macAddress>00:11:22:33:44:55</macAddress></deviceInfo></config>';

/** What a camera would push for a face at `box` of `photo`: a square JPEG crop of 1.6× the box at 184×184. */
export async function cameraCrop(photo: RgbImage, box: Box, side = 184): Promise<Buffer> {
  const size = Math.round(1.6 * Math.max(box.x2 - box.x1, box.y2 - box.y1));
  const left = Math.max(0, Math.round((box.x1 + box.x2 - size) / 2));
  const top = Math.max(0, Math.round((box.y1 + box.y2 - size) / 2));
  const raw = { width: photo.width, height: photo.height, channels: 3 as const };
  return sharp(photo.data, { raw })
    .extract({ left, top, width: Math.min(size, photo.width - left), height: Math.min(size, photo.height - top) })
    .resize(side, side, { fit: 'fill' })
    .jpeg({ quality: 85 })
    .toBuffer();
}

/** The photo as the full-frame JPEG a device sends. */
export function sceneJpeg(photo: RgbImage): Promise<Buffer> {
  return sharp(photo.data, { raw: { width: photo.width, height: photo.height, channels: 3 } }).jpeg({ quality: 85 }).toBuffer();
}

/** A box in whole pixels, as an NVR sends it. */
export const pixelRect = (box: Box): DeviceRect => ({ x1: Math.round(box.x1), y1: Math.round(box.y1), x2: Math.round(box.x2), y2: Math.round(box.y2) });

/** A box in IPC units (0–10000 of the frame). */
export const normalizedRect = (box: Box, frame: { width: number; height: number }): DeviceRect => ({
  x1: Math.round((box.x1 / frame.width) * 10000),
  y1: Math.round((box.y1 / frame.height) * 10000),
  x2: Math.round((box.x2 / frame.width) * 10000),
  y2: Math.round((box.y2 / frame.height) * 10000),
});
