// What the Kafka clip tests share: a schema registry, the padded head-pose clip with a config that records clips into
// a frame store, and the check of a written clip.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { GOP_S, paddedClip, probeFile, probePackets } from '../../pipelines/clips/testing/media.ts';
import { startSchemaRegistry, type SchemaRegistryServer } from '../../schemas/registry/server.ts';

export const PRE_ROLL = 1;
export const POST_ROLL = 1;

export interface ClipsSetup {
  readonly registry: SchemaRegistryServer;
  /** the padded clip (people from 4 s on) */
  readonly video: string;
  /** a config file: clips on, into `store` */
  readonly config: string;
  /** frame_store.dir */
  readonly store: string;
  close(): Promise<void>;
}

export async function clipsSetup(): Promise<ClipsSetup> {
  const dir = await mkdtemp(join(tmpdir(), 'fs-kafka-clips-'));
  const store = join(dir, 'store');
  const config = join(dir, 'config.json');
  // the ring keeps the whole file: it is decoded long before the episodes come
  await writeFile(config, JSON.stringify({ frame_store: { dir: store }, clips: { enabled: true, pre_roll: PRE_ROLL, post_roll: POST_ROLL, pipeline_lag: 120 } }));
  const registry = await startSchemaRegistry({ port: 0 });
  return { registry, video: await paddedClip(dir), config, store, close: () => registry.close() };
}

/** An H.264 MP4 from the keyframe at or before the episode's start − pre-roll to its end + post-roll (within a GOP). */
export async function expectClip(path: string, episodeS: number): Promise<void> {
  const probed = await probeFile(path);
  expect(probed.stream['codec_name'], path).toBe('h264');
  expect(probed.formatName).toContain('mp4');
  const span = episodeS + PRE_ROLL + POST_ROLL;
  expect(probed.durationS, path).toBeGreaterThan(span - 0.25);
  expect(probed.durationS, path).toBeLessThan(span + GOP_S + 0.25);
  const packets = await probePackets(path);
  expect(packets[0]).toMatchObject({ keyframe: true });
  expect(Math.min(...packets.map((p) => p.pts))).toBe(0);
}
