// readVideo/probeVideo on the shared clips: counts, timestamps, sampling and scaling. Bad inputs are in
// bad-sources.test.ts, RTSP in rtsp.test.ts.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AV_CODEC_ID_H264 } from 'node-av/constants';
import { Decoder, Demuxer, FilterAPI } from 'node-av/api';
import { probeVideo, readVideo, type DecodedFrame, type ReadSummary, type ReadVideoOptions, type VideoPacket } from './video-source.ts';
import { CLASSROOM, CLIPS_DIR, FEMALE } from './testing/media.ts';
import { cropResize } from '../../models/image/crop-resize.ts';

async function readAll(url: string, opts: ReadVideoOptions = {}): Promise<{ frames: DecodedFrame[]; summary: ReadSummary }> {
  const frames: DecodedFrame[] = [];
  const gen = readVideo(url, opts);
  for (let r = await gen.next(); ; r = await gen.next()) {
    if (r.done) return { frames, summary: r.value };
    frames.push(r.value);
  }
}

const clips = readdirSync(CLIPS_DIR).filter((f) => f.endsWith('.mp4')).sort();

describe('probeVideo', () => {
  it('reports size, rate, duration and codec of a clip', async () => {
    const info = await probeVideo(CLASSROOM);
    expect(info).toEqual({ width: 480, height: 270, fps: 15, durationS: 3, codec: 'h264', live: false, frameCount: 45 });
  });
});

describe('readVideo at the native rate', () => {
  it.each(clips)('%s: every indexed frame, pts = k / fps, packed RGB 480×270', async (name) => {
    const path = join(CLIPS_DIR, name);
    const info = await probeVideo(path);
    expect([12, 15]).toContain(info.fps);
    const { frames, summary } = await readAll(path);
    expect(frames.length).toBe(info.frameCount);
    expect(summary).toEqual({ decoded: info.frameCount, emitted: info.frameCount, corrupt: 0, missing: 0, aborted: false });
    frames.forEach((f, k) => {
      expect(f.index).toBe(k);
      expect(f.ptsSeconds).toBeCloseTo(k / info.fps, 6);
      expect(f.image.width).toBe(480);
      expect(f.image.height).toBe(270);
      expect(f.image.data.length).toBe(480 * 270 * 3);
    });
  });

  it('accepts a file:// URL', async () => {
    const { frames } = await readAll(pathToFileURL(FEMALE).href);
    expect(frames.length).toBe(23);
  });

  it('gives a full-range picture, not a washed-out one (colour range honoured)', async () => {
    const { frames } = await readAll(CLASSROOM, { fps: 1 });
    let min = 255;
    let max = 0;
    for (const f of frames) for (const v of f.image.data) (min = Math.min(min, v)), (max = Math.max(max, v));
    // Limited-range YUV shown without expansion would keep every channel inside ~16..235.
    expect(min).toBeLessThan(10);
    expect(max).toBeGreaterThan(245);
  });
});

describe('readVideo sampling by pts', () => {
  it('fps 5 on a 15 fps clip keeps every third frame, evenly spaced', async () => {
    const { frames, summary } = await readAll(CLASSROOM, { fps: 5 });
    expect(frames.map((f) => f.index)).toEqual(Array.from({ length: 15 }, (_, k) => 3 * k));
    for (let k = 1; k < frames.length; k++) expect(frames[k]!.ptsSeconds - frames[k - 1]!.ptsSeconds).toBeCloseTo(0.2, 6);
    expect(summary.decoded).toBe(45);
    expect(summary.emitted).toBe(15);
  });

  it('fps 12 on a 15 fps clip gives ~12 fps with gaps of one or two source frames', async () => {
    const { frames } = await readAll(CLASSROOM, { fps: 12 });
    expect(frames.length).toBe(36);
    const gaps = frames.slice(1).map((f, k) => f.index - frames[k]!.index);
    expect(new Set(gaps)).toEqual(new Set([1, 2]));
  });

  it('fps 4 on a 12 fps clip keeps every third frame', async () => {
    const { frames } = await readAll(FEMALE, { fps: 4 });
    expect(frames.map((f) => f.index)).toEqual([0, 3, 6, 9, 12, 15, 18, 21]);
  });

  it('never gives more than the source rate', async () => {
    const { frames } = await readAll(CLASSROOM, { fps: 60 });
    expect(frames.length).toBe(45);
  });
});

describe('readVideo scaling (inside FFmpeg)', () => {
  it.each([
    [240, 240, 135],
    [200, 200, 113],
    [1280, 480, 270],
  ])('max_width %i → %i×%i, aspect kept', async (maxWidth, w, h) => {
    const { frames } = await readAll(CLASSROOM, { fps: 5, max_width: maxWidth });
    for (const f of frames) {
      expect([f.image.width, f.image.height]).toEqual([w, h]);
      expect(f.image.data.length).toBe(w * h * 3);
      expect(Math.abs(f.image.width / f.image.height - 480 / 270)).toBeLessThan(0.02);
    }
  });
});

describe('readVideo pixels', () => {
  it('are in shared memory (workers read them without a copy), packed even where FFmpeg pads its rows', async () => {
    // 200 px of RGB = 600 bytes a row, which FFmpeg pads to its alignment: a wrong stride would shear the picture
    const small = (await readAll(CLASSROOM, { fps: 5, max_width: 200 })).frames;
    const full = (await readAll(CLASSROOM, { fps: 5 })).frames;
    expect(small.length).toBe(full.length);
    small.forEach((f, k) => {
      expect(f.image.data.buffer).toBeInstanceOf(SharedArrayBuffer);
      const ref = cropResize(full[k]!.image, { x1: 0, y1: 0, x2: 480, y2: 270 }, f.image.width, f.image.height);
      let diff = 0;
      for (let i = 0; i < ref.data.length; i++) diff += Math.abs(ref.data[i]! - f.image.data[i]!);
      expect(diff / ref.data.length).toBeLessThan(6);
    });
  });
});

describe('readVideo conversion', () => {
  it('gives the bytes of FFmpeg’s scale filter, frame after frame (each decoded picture is copied before swscale reads it)', async () => {
    const { frames } = await readAll(FEMALE, { max_width: 400 });
    await using input = await Demuxer.open(FEMALE);
    const stream = input.video()!;
    using decoder = await Decoder.create(stream);
    using filter = FilterAPI.create(`scale=w='min(iw,400)':h=-1:flags=bilinear,format=rgb24`, { threads: 1 });
    let k = 0;
    for await (const decoded of decoder.frames(input.packets(stream.index))) {
      if (decoded === null) break;
      filter.processSync(decoded);
      const out = filter.receiveSync();
      decoded.free();
      if (!out || typeof out === 'symbol') throw new Error('scale filter produced no frame');
      const row = out.width * 3;
      const plane = out.data![0]!;
      const image = frames[k++]!.image;
      expect([image.width, image.height]).toEqual([out.width, out.height]);
      for (let y = 0; y < out.height; y++) {
        if (Buffer.compare(plane.subarray(y * out.linesize[0]!, y * out.linesize[0]! + row), Buffer.from(image.data.buffer, image.data.byteOffset + y * row, row)) !== 0) {
          throw new Error(`frame ${k - 1} row ${y} differs from the scale filter's`);
        }
      }
      out.free();
    }
    expect(k).toBe(frames.length);
  });
});

describe('readVideo detector-size frames', () => {
  it('come with every frame when asked for, squeezed to the size, in shared memory, looking like the frame', async () => {
    const { frames } = await readAll(CLASSROOM, { fps: 5, detectorSize: { width: 320, height: 240 } });
    expect(frames.length).toBe(15);
    for (const f of frames) {
      const d = f.detectorImage!;
      expect([d.width, d.height, d.data.length]).toEqual([320, 240, 320 * 240 * 3]);
      expect(d.data.buffer).toBeInstanceOf(SharedArrayBuffer);
      const ref = cropResize(f.image, { x1: 0, y1: 0, x2: f.image.width, y2: f.image.height }, 320, 240);
      let diff = 0;
      for (let i = 0; i < ref.data.length; i++) diff += Math.abs(ref.data[i]! - d.data[i]!);
      expect(diff / ref.data.length).toBeLessThan(3);
    }
  });

  it('are absent unless asked for', async () => {
    const { frames } = await readAll(CLASSROOM, { fps: 5 });
    expect(frames.every((f) => f.detectorImage === undefined)).toBe(true);
  });
});

describe('readVideo stopping', () => {
  it('ends between frames when the signal aborts, reporting aborted', async () => {
    const ac = new AbortController();
    const seen: number[] = [];
    const gen = readVideo(CLASSROOM, { signal: ac.signal });
    let r = await gen.next();
    while (!r.done) {
      seen.push(r.value.index);
      if (seen.length === 5) ac.abort();
      r = await gen.next();
    }
    expect(seen).toEqual([0, 1, 2, 3, 4]);
    expect(r.value.aborted).toBe(true);
  });

  it('frees everything when the consumer stops early, and reading again works', async () => {
    for (let i = 0; i < 20; i++) {
      for await (const f of readVideo(CLASSROOM)) if (f.index === 2) break;
    }
    const { frames } = await readAll(CLASSROOM);
    expect(frames.length).toBe(45);
  });
});

describe('readVideo packet tap', () => {
  it('hands every video packet before decoding, with its stream, times and keyframe flag', async () => {
    const got: VideoPacket[] = [];
    const { frames } = await readAll(CLASSROOM, { fps: 5, onPacket: (p) => got.push(p) });
    const info = await probeVideo(CLASSROOM);
    // every packet, sampled frames or not
    expect(got.length).toBe(info.frameCount);
    expect(frames.length).toBeLessThan(got.length);
    expect(got[0]!.keyframe).toBe(true);
    expect(new Set(got.map((p) => p.stream)).size).toBe(1);
    const { stream } = got[0]!;
    // the copied codec parameters outlive the input, closed by now
    expect([stream.codecpar.codecId, stream.codecpar.width, stream.codecpar.height]).toEqual([AV_CODEC_ID_H264, 480, 270]);
    expect(stream.codecpar.extradataSize).toBeGreaterThan(0);
    const seconds = got.map((p) => (Number(p.pts) * stream.timeBase.num) / stream.timeBase.den).sort((a, b) => a - b);
    seconds.forEach((s, k) => expect(s).toBeCloseTo(k / info.fps, 6));
    expect(got.reduce((n, p) => n + p.data.length, 0)).toBeGreaterThan(0);
  });

  it('the bytes are the packet’s own copy, not a view FFmpeg reuses', async () => {
    const got: Buffer[] = [];
    await readAll(CLASSROOM, { onPacket: (p) => got.push(p.data) });
    expect(new Set(got.map((b) => b.toString('base64'))).size).toBe(got.length);
  });
});
