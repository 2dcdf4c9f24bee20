// Test media and checks for clip tests: a shared clip padded with still grey video before and after (so pre- and
// post-roll have something to take) and re-encoded with a keyframe every GOP_S seconds (so a clip's start is a choice
// between keyframes), made with Debian's ffmpeg; ffprobe's view of a file's packets and stream. Production code
// never imports this folder.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { VIDEO } from '../../../test/paths.ts';

const run = promisify(execFile);

export const FPS = 12;
export const GOP_S = 1;
/** seconds of grey before and after the people */
export const PAD_S = 4;

/** Writes the padded head-pose clip (the woman and the man, whom the demo watch list knows one of) into `dir`. */
export async function paddedClip(dir: string): Promise<string> {
  await run('ffprobe', ['-version']).catch(() => {
    throw new Error("Debian's ffmpeg (ffmpeg, ffprobe) must be installed: apt-get install ffmpeg");
  });
  const out = join(dir, 'padded.mp4');
  const grey = `color=c=gray:s=480x270:r=${FPS}:d=${PAD_S}`;
  await run('ffmpeg', [
    ...['-v', 'error', '-y', '-f', 'lavfi', '-i', grey, '-i', VIDEO('head-pose-face-detection-female-and-male.mp4'), '-f', 'lavfi', '-i', grey],
    ...['-filter_complex', `[0:v]format=yuv420p,setsar=1[a];[1:v]format=yuv420p,setsar=1,fps=${FPS}[b];[2:v]format=yuv420p,setsar=1[c];[a][b][c]concat=n=3:v=1[v]`],
    ...['-map', '[v]', '-c:v', 'libx264', '-preset', 'veryfast', '-g', String(FPS * GOP_S), '-keyint_min', String(FPS * GOP_S), '-sc_threshold', '0', '-bf', '2', out],
  ]);
  return out;
}

async function ffprobe(...args: string[]): Promise<string> {
  return (await run('ffprobe', ['-v', 'error', ...args], { maxBuffer: 16 << 20 })).stdout;
}

export interface ProbedPacket {
  readonly pts: number;
  readonly keyframe: boolean;
  /** MD5 of the packet's bytes */
  readonly hash: string;
}

export async function probePackets(file: string): Promise<ProbedPacket[]> {
  const out = await ffprobe('-select_streams', 'v', '-show_data_hash', 'MD5', '-show_entries', 'packet=pts_time,flags,data_hash', '-of', 'json', file);
  return (JSON.parse(out) as { packets: Array<{ pts_time: string; flags: string; data_hash: string }> }).packets.map((p) => ({
    pts: Number(p.pts_time),
    keyframe: p.flags.startsWith('K'),
    hash: p.data_hash,
  }));
}

export interface ProbedFile {
  /** the video stream's codec parameters as ffprobe names them */
  readonly stream: Readonly<Record<string, unknown>>;
  readonly formatName: string;
  readonly durationS: number;
}

export async function probeFile(file: string): Promise<ProbedFile> {
  const entries = 'stream=codec_name,profile,level,width,height,pix_fmt,color_range,color_space,extradata_size,extradata_hash:format=format_name,duration';
  const out = await ffprobe('-select_streams', 'v', '-show_data_hash', 'MD5', '-show_entries', entries, '-of', 'json', file);
  const doc = JSON.parse(out) as { streams: Array<Record<string, unknown>>; format: { format_name: string; duration: string } };
  return { stream: doc.streams[0] ?? {}, formatName: doc.format.format_name, durationS: Number(doc.format.duration) };
}
