// A real broker, no mocks: topics, produce/consume, restart on the same address with data kept, stop, and no JVM left
// behind when its owner dies.
import { existsSync } from 'node:fs';
import { ConfigResourceTypes, Kafka, Partitioners, logLevel } from 'kafkajs';
import type { Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kafkaBrokers, uniqueTopic } from '../../test/support/kafka.ts';
import { startKafka } from './broker.ts';
import type { KafkaBroker } from './broker.ts';
import { isAlive, waitForExit } from '../local-service/process.ts';
import { eventually, holdInChild, whenOwnerDies, withTakenPort } from '../local-service/testing.ts';

function client(brokers: string[]): Kafka {
  return new Kafka({ clientId: 'broker-test', brokers, logLevel: logLevel.NOTHING });
}

/** Reads a topic from the beginning with a fresh group until `count` values arrived. */
async function readValues(kafka: Kafka, topic: string, count: number): Promise<string[]> {
  const consumer = kafka.consumer({ groupId: uniqueTopic('broker-test') });
  const values: string[] = [];
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`got ${values.length} of ${count} messages from ${topic}`)), 30_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          values.push(message.value?.toString() ?? '');
          if (values.length >= count) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return values;
}

describe('a broker of its own', () => {
  let broker: KafkaBroker;
  let kafka: Kafka;
  let producer: Producer;
  const topic = uniqueTopic('broker-test');

  beforeAll(async () => {
    broker = await startKafka();
    kafka = client(broker.brokers);
    producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  });
  afterAll(async () => {
    await producer?.disconnect();
    await broker?.stop();
  });

  it('listens on loopback, takes a topic from the admin and does not auto-create topics', async () => {
    expect(broker.brokers).toEqual([`127.0.0.1:${broker.port}`]);
    expect(existsSync(broker.logFile)).toBe(true);
    const admin = kafka.admin();
    await admin.connect();
    try {
      expect(await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] })).toBe(true);
      expect(await admin.listTopics()).toContain(topic);
      const { resources } = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: ConfigResourceTypes.BROKER, name: '1', configNames: ['auto.create.topics.enable'] }],
      });
      expect(resources[0]?.configEntries[0]?.configValue).toBe('false');
    } finally {
      await admin.disconnect();
    }
  });

  it('carries a message from a producer to a consumer', async () => {
    await producer.connect();
    await producer.send({ topic, messages: [{ key: 'cam-1', value: 'before-restart' }] });
    expect(await readValues(kafka, topic, 1)).toEqual(['before-restart']);
  });

  it('restarts on the same address with its data, and the connected producer carries on', async () => {
    const { pid } = broker;
    const address = [...broker.brokers];
    await broker.restart();
    expect(isAlive(pid)).toBe(false);
    expect(broker.pid).not.toBe(pid);
    expect(broker.brokers).toEqual(address);
    await producer.send({ topic, messages: [{ key: 'cam-1', value: 'after-restart' }] });
    expect(await readValues(kafka, topic, 2)).toEqual(['before-restart', 'after-restart']);
  });

  it('stop() ends the JVM, removes the temporary data directory, and can be called twice', async () => {
    await producer.disconnect();
    const { pid, dataDir } = broker;
    await Promise.all([broker.stop(), broker.stop()]);
    expect(isAlive(pid)).toBe(false);
    expect(existsSync(dataDir)).toBe(false);
    await broker.stop();
    await expect(broker.restart()).rejects.toThrow(/after stop/);
  });
});

describe('no JVM left behind', () => {
  it('when the Node process that started the broker is SIGKILLed', async () => {
    const { child, started } = await holdInChild<{ pid: number; dataDir: string }>('infra/kafka/fixtures/hold-broker.ts');
    expect(isAlive(started.pid)).toBe(true);
    child.kill('SIGKILL');
    expect(await waitForExit(started.pid, 20_000)).toBe(true);
    expect(await eventually(() => !existsSync(started.dataDir), 5_000)).toBe(true);
  });

  it('when the owner of a detached broker dies', async () => {
    const after = await whenOwnerDies((ownerPid) => startKafka({ detached: true, ownerPid }), (b) => b.dataDir);
    expect(after).toEqual({ exited: true, dirRemoved: true });
  });

  it('when the broker cannot start: the error carries its log', async () => {
    await withTakenPort(async (port) => {
      await expect(startKafka({ port, readyTimeoutMs: 30_000 })).rejects.toThrow(/exited while starting[\s\S]*errors in [\s\S]*Address already in use/);
    });
  });
});

describe('the shared broker of a test run', () => {
  it('is started once and reused', async () => {
    const brokers = await kafkaBrokers();
    expect(await kafkaBrokers()).toBe(await kafkaBrokers());
    const admin = client(brokers).admin();
    await admin.connect();
    try {
      const topic = uniqueTopic('shared');
      await admin.createTopics({ topics: [{ topic }] });
      expect(await admin.listTopics()).toContain(topic);
    } finally {
      await admin.disconnect();
    }
  });
});
