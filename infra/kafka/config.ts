// The files a single-node KRaft broker runs from, and where they sit in its data directory:
//   <dataDir>/server.properties, <dataDir>/log4j.properties
//   <dataDir>/kafka-logs/      Kafka's log.dirs (topic data and the KRaft metadata log)
//   <dataDir>/logs/server.log  the broker's log4j output; logs/kafka.out its stdout/stderr (JVM errors)
import { join } from 'node:path';
import { HOST } from '../local-service/ports.ts';

export { HOST };

export interface BrokerLayout {
  readonly dataDir: string;
  readonly serverProperties: string;
  readonly log4jProperties: string;
  readonly logDirs: string;
  readonly logFile: string;
  readonly outFile: string;
}

export function brokerLayout(dataDir: string): BrokerLayout {
  return {
    dataDir,
    serverProperties: join(dataDir, 'server.properties'),
    log4jProperties: join(dataDir, 'log4j.properties'),
    logDirs: join(dataDir, 'kafka-logs'),
    logFile: join(dataDir, 'logs', 'server.log'),
    outFile: join(dataDir, 'logs', 'kafka.out'),
  };
}

export interface BrokerPorts {
  /** The PLAINTEXT listener clients use. */
  readonly port: number;
  /** The KRaft controller listener. */
  readonly controllerPort: number;
}

export function serverProperties(layout: BrokerLayout, ports: BrokerPorts): string {
  const props: Record<string, string | number | boolean> = {
    'process.roles': 'broker,controller',
    'node.id': 1,
    'controller.quorum.voters': `1@${HOST}:${ports.controllerPort}`,
    listeners: `PLAINTEXT://${HOST}:${ports.port},CONTROLLER://${HOST}:${ports.controllerPort}`,
    'advertised.listeners': `PLAINTEXT://${HOST}:${ports.port}`,
    'inter.broker.listener.name': 'PLAINTEXT',
    'controller.listener.names': 'CONTROLLER',
    'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    'log.dirs': layout.logDirs,
    // facestream's topology creates its topics; a typo in a topic name must fail, not create a topic.
    'auto.create.topics.enable': false,
    'num.partitions': 1,
    'default.replication.factor': 1,
    'min.insync.replicas': 1,
    'offsets.topic.replication.factor': 1,
    'offsets.topic.num.partitions': 1,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'transaction.state.log.num.partitions': 1,
    'group.initial.rebalance.delay.ms': 0,
    // A small machine shared with others: fewer idle threads than the defaults (3 network, 8 I/O).
    'num.network.threads': 2,
    'num.io.threads': 4,
  };
  return `${Object.entries(props)
    .map(([k, v]) => `${k}=${escapeValue(String(v))}`)
    .join('\n')}\n`;
}

export function log4jProperties(layout: BrokerLayout): string {
  return `${[
    'log4j.rootLogger=INFO, file',
    'log4j.appender.file=org.apache.log4j.RollingFileAppender',
    `log4j.appender.file.File=${escapeValue(layout.logFile)}`,
    'log4j.appender.file.MaxFileSize=10MB',
    'log4j.appender.file.MaxBackupIndex=2',
    'log4j.appender.file.layout=org.apache.log4j.PatternLayout',
    'log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n',
    'log4j.logger.kafka.request.logger=WARN',
    'log4j.logger.state.change.logger=WARN',
    'log4j.logger.org.apache.kafka.clients=WARN',
  ].join('\n')}\n`;
}

/** java.util.Properties value escaping: a backslash starts an escape. */
function escapeValue(v: string): string {
  return v.replace(/\\/g, '\\\\');
}
