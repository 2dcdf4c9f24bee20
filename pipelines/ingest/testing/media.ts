// Test media made from the shared clips at test time (into a temp dir; nothing binary is committed).
// Production code never imports this folder.
import { SHARED_DATA } from '../../../test/paths.ts';
import '../promise-with-resolvers.ts';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Demuxer, Muxer } from 'node-av/api';
import type { Packet } from 'node-av/lib';

export const CLIPS_DIR = join(SHARED_DATA, 'video');
/** 15 fps, 45 frames, 480×270, moov before mdat */
export const CLASSROOM = join(CLIPS_DIR, 'classroom.mp4');
/** 12 fps, 23 frames, 480×270 */
export const FEMALE = join(CLIPS_DIR, 'head-pose-face-detection-female.mp4');

export async function makeTempDir(prefix = 'facestream-ingest-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** Copies the video stream into another container without re-encoding (format from the extension). */
export async function remux(input: string, output: string): Promise<void> {
  const demuxer = await Demuxer.open(input);
  try {
    const muxer = await Muxer.open(output, { input: demuxer });
    try {
      const video = demuxer.video();
      if (video === undefined) throw new Error(`${input} has no video`);
      const out = muxer.addStream(video);
      for await (const pkt of demuxer.packets(video.index)) {
        if (pkt === null) break;
        try {
          await muxer.writePacket(pkt, out);
        } finally {
          pkt.free();
        }
      }
    } finally {
      await muxer.close();
    }
  } finally {
    await demuxer.close();
  }
}

/** Top-level MP4 boxes in file order, e.g. ["ftyp", "moov", "free", "mdat"]. */
export async function mp4Boxes(path: string): Promise<Array<{ type: string; offset: number; size: number }>> {
  const b = await readFile(path);
  const boxes: Array<{ type: string; offset: number; size: number }> = [];
  for (let o = 0; o + 8 <= b.length; ) {
    let size = b.readUInt32BE(o);
    const type = b.toString('latin1', o + 4, o + 8);
    if (size === 1) size = Number(b.readBigUInt64BE(o + 8));
    else if (size === 0) size = b.length - o;
    boxes.push({ type, offset: o, size });
    if (size < 8) break;
    o += size;
  }
  return boxes;
}

/** The first `keep` fraction of a file's bytes, as a crash mid-recording leaves it. */
export async function truncateCopy(input: string, output: string, keep: number): Promise<void> {
  const b = await readFile(input);
  await writeFile(output, b.subarray(0, Math.floor(b.length * keep)));
}

/** A copy with `length` bytes from `offset` overwritten by noise (deterministic). */
export async function corruptCopy(input: string, output: string, offset: number, length: number): Promise<void> {
  const b = Buffer.from(await readFile(input));
  for (let i = offset; i < offset + length && i < b.length; i++) b[i] = (i * 7919 + 13) & 0xff;
  await writeFile(output, b);
}

export async function textFile(path: string): Promise<void> {
  await writeFile(path, 'this is not a video\n'.repeat(20));
}

export async function directory(path: string): Promise<void> {
  await mkdir(path, { recursive: true });
}

export async function copy(input: string, output: string): Promise<void> {
  await copyFile(input, output);
}

/**
 * A copy whose stream pauses: the video stream remuxed with every frame from about `afterS` (stream seconds) on shown
 * `gapS` later, no re-encoding — a camera that sent nothing for that long. The cut is put at the first packet
 * (in decode order) from which every later packet is shown after every earlier one, so B-frames stay in order.
 */
export async function pausedCopy(input: string, output: string, afterS: number, gapS: number): Promise<void> {
  const demuxer = await Demuxer.open(input);
  try {
    const video = demuxer.video();
    if (video === undefined) throw new Error(`${input} has no video`);
    const packets: Packet[] = [];
    for await (const pkt of demuxer.packets(video.index)) {
      if (pkt === null) break;
      packets.push(pkt);
    }
    const { num, den } = video.timeBase;
    const seconds = (pts: bigint) => (Number(pts) * num) / den;
    const cut = packets.findIndex((p, k) => seconds(p.pts) >= afterS && packets.slice(0, k).every((q) => q.pts < packets.slice(k).reduce((m, r) => (r.pts < m ? r.pts : m), p.pts)));
    if (cut < 0) throw new Error(`${input}: no place to pause after ${afterS} s`);
    const shift = BigInt(Math.round((gapS * den) / num));
    const muxer = await Muxer.open(output, { input: demuxer });
    try {
      const out = muxer.addStream(video);
      for (const [k, pkt] of packets.entries()) {
        if (k >= cut) {
          pkt.pts += shift;
          pkt.dts += shift;
        }
        await muxer.writePacket(pkt, out);
      }
    } finally {
      await muxer.close();
    }
    for (const pkt of packets) pkt.free();
  } finally {
    await demuxer.close();
  }
}
