/**
 * The service against the broker's SASL_SSL listener, as production brokers run: TLS with a CA
 * file and SCRAM-SHA-512 (the whole pipeline) or PLAIN (a connection), and the coded errors of a
 * wrong password and of an untrusted certificate.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ServiceConfig } from '../../src/config.js';
import type { MarketEvent } from '../../src/engine/index.js';
import type { KafkaClient } from '../../src/io/kafka/client.js';
import { startService } from '../../src/service/service.js';
import type { Service } from '../../src/service/service.js';
import { secureListener } from './helpers/kafka.js';
import { withTimeout } from './helpers/timeout.js';
import { client, createTopics, drained, deleteTopics, eventsWithAlerts, fileReplayAlerts, produce, readAlerts, silent, sortAlerts, testConfig } from './service-support.js';

const secure = secureListener();

function secureConfig(flags: Record<string, string> = {}): Readonly<ServiceConfig> {
  const s = secure!;
  return testConfig({
    brokers: s.brokers,
    kafkaSsl: 'true',
    kafkaSslCaFile: s.caFile,
    kafkaSaslMechanism: 'scram-sha-512',
    kafkaSaslUsername: s.username,
    kafkaSaslPassword: s.password,
    ...flags,
  });
}

describe('brushwatch run against a SASL_SSL listener', { skip: secure === undefined && 'no secure listener: KAFKA_SECURE_JSON unset (scripts/kafka-local.sh writes secure.json)' }, () => {
  let config: Readonly<ServiceConfig>;
  let kafka: KafkaClient;
  let service: Service | undefined;
  let events: MarketEvent[];

  before(async () => {
    config = secureConfig();
    events = eventsWithAlerts(config.engine);
    kafka = client(config);
    await withTimeout(createTopics(kafka, config), 30_000, 'creating topics over SASL_SSL');
    await withTimeout(produce(kafka, config, events), 60_000, 'producing over SASL_SSL');
  });

  after(async () => {
    if (service !== undefined) await withTimeout(service.stop(), 30_000, 'stopping the service').catch(() => undefined);
    await withTimeout(deleteTopics(kafka, config), 30_000, 'deleting topics').catch(() => undefined);
  });

  it('TLS + SCRAM-SHA-512: publishes exactly the alerts of the file replay', async (t) => {
    service = await withTimeout(startService(config, { logger: silent }), 60_000, 'starting the service');
    await drained(service, events.length, config);
    await withTimeout(service.stop(), 30_000, 'graceful stop');
    service = undefined;
    const live = await readAlerts(kafka, config);
    const file = await fileReplayAlerts(events, config);
    assert.ok(file.length > 0, 'the scenario must produce alerts, or the comparison proves nothing');
    t.diagnostic(`${events.length} events over SASL_SSL → ${live.length} alerts on Kafka, ${file.length} from the file replay`);
    assert.deepEqual(sortAlerts(live), sortAlerts(file));
  });

  it('TLS + PLAIN: connects and sees the topics', async () => {
    const admin = client(secureConfig({ kafkaSaslMechanism: 'plain' })).admin();
    await withTimeout(admin.connect(), 30_000, 'PLAIN connect');
    try {
      assert.ok((await admin.listTopics()).includes(config.topics.orders));
    } finally {
      await admin.disconnect();
    }
  });

  it('a wrong password stops the start with BRUSH_KAFKA_AUTH, naming the settings to fix', async () => {
    const bad = secureConfig({ kafkaSaslPassword: 'not-the-password' });
    await assert.rejects(withTimeout(startService(bad, { logger: silent }), 60_000, 'start with a wrong password'), (err: Error & { code?: string; retriable?: boolean }) => {
      assert.equal(err.code, 'BRUSH_KAFKA_AUTH');
      assert.equal(err.retriable, false);
      assert.match(err.message, /SCRAM-SHA-512 login of user brushwatch/);
      assert.match(err.message, /BRUSHWATCH_KAFKA_SASL_PASSWORD|_PASSWORD/);
      assert.doesNotMatch(err.message, /not-the-password/);
      return true;
    });
  });

  it('a broker certificate the client does not trust stops the start with BRUSH_KAFKA_TLS', async () => {
    const untrusted = testConfig({
      brokers: secure!.brokers,
      kafkaSsl: 'true',
      kafkaSaslMechanism: 'scram-sha-512',
      kafkaSaslUsername: secure!.username,
      kafkaSaslPassword: secure!.password,
    });
    await assert.rejects(withTimeout(startService(untrusted, { logger: silent }), 90_000, 'start without the CA'), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'BRUSH_KAFKA_TLS');
      assert.match(err.message, /kafka\.ssl\.caFile/);
      return true;
    });
  });
});
