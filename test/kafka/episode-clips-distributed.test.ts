// Episode clips with every stage of the distributed topology its own process (`facestream up --until-done` on the
// real broker): the padded head-pose clip as a camera with clips on; every episode the episodes stage closed has its
// clip in the frame store, written by the camera's ingest process, as long as the episode plus the rolls, and the
// ingest process ended on the camera's end of stream coming back through `episodes`.
import { pino } from 'pino';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createKafkaClient } from '../../cli/kafka-client.ts';
import type { EpisodeChange } from '../../schemas/records.ts';
import { createTopicSerde } from '../../schemas/serde/topic-serde.ts';
import { clipPath, clipsRoot } from '../../stores/frames/layout.ts';
import { DEMO_WATCHLIST } from '../paths.ts';
import { kafkaBrokers, uniqueTopic } from '../support/kafka.ts';
import { readUntilEnd } from '../support/topic-reader.ts';
import { upUntilDone } from '../support/up-until-done.ts';
import { clipsSetup, expectClip } from './episode-clips-testing.ts';

const logger = pino({ level: 'silent' });

describe('episode clips in the distributed topology', () => {
  it('every episode closed downstream has its clip from the camera’s ingest process', async () => {
    const setup = await clipsSetup();
    onTestFinished(() => setup.close());
    const prefix = `${uniqueTopic('clips-up')}.`;
    const camera = 'hall';
    const brokers = await kafkaBrokers();
    const { code, log } = await upUntilDone({ topology: 'distributed', sources: [{ camera, url: setup.video }], watchlist: DEMO_WATCHLIST, brokers, registryUrl: setup.registry.url, prefix, config: setup.config });
    expect(code, log.slice(-40).join('\n')).toBe(0);
    expect(log.some((l) => l.startsWith('[ingest@hall]') && l.includes('"endOfStream":true')), log.slice(-40).join('\n')).toBe(true);
    const kafka = createKafkaClient({ brokers, clientId: 'clips-up-test', logger });
    const serde = createTopicSerde({ registryUrl: setup.registry.url, topicPrefix: prefix, logger });
    const closed = (await readUntilEnd(kafka, `${prefix}episodes`, serde, [camera], { everyPartition: true })).map((r) => r.value as EpisodeChange).filter((c) => c.kind === 'close');
    expect(closed.length, log.slice(-40).join('\n')).toBeGreaterThan(0);
    for (const episode of closed) await expectClip(clipPath(clipsRoot(setup.store), camera, episode.episodeId), (episode.endTs - episode.startTs) / 1000);
  }, 240_000);
});
