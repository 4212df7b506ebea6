/**
 * Poison records of every kind go to the dead-letter topic with their reason and origin, are
 * counted, and do not stop the good events around them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import avsc from 'avsc';
import type { ServiceConfig } from '../../src/config.js';
import type { KafkaClient, OutRecord } from '../../src/io/kafka/client.js';
import { createEventEncoder } from '../../src/io/kafka/codec.js';
import { DLQ_HEADERS } from '../../src/service/runner.js';
import { startService } from '../../src/service/service.js';
import type { Service } from '../../src/service/service.js';
import { registryUrl } from './helpers/kafka.js';
import { withTimeout, waitUntil } from './helpers/timeout.js';
import { client, createTopics, deleteTopics, produce, readAll, registrySource, silent, testConfig, tinyEvents } from './service-support.js';

describe('dead letters', { skip: registryUrl() === undefined ? 'needs the schema registry (npm test starts one)' : false }, () => {
  let config: Readonly<ServiceConfig>;
  let kafka: KafkaClient;
  let service: Service | undefined;

  before(async () => {
    config = testConfig();
    kafka = client(config);
    await createTopics(kafka, config);
  });

  after(async () => {
    if (service !== undefined) await withTimeout(service.stop(), 30_000, 'stopping the service').catch(() => undefined);
    await withTimeout(deleteTopics(kafka, config), 30_000, 'deleting topics').catch(() => undefined);
  });

  it('routes every kind of poison to the DLQ with headers and counts, and processes the rest', async () => {
    const good = tinyEvents(7, config.engine).slice(0, 2_000);
    const source = registrySource(config)!;
    const orders = await createEventEncoder('order', 'avro', config.topics.orders, source);
    const sample = good.find((e) => e.kind === 'order')!;
    const valid = orders.encode(sample);
    // A schema without sellerId: decodes fine, then fails the contract.
    const partialSchema = { type: 'record', name: 'PartialOrder', namespace: 'test', fields: [{ name: 'eventId', type: 'string' }, { name: 'eventTime', type: 'long' }] };
    const partialId = await source.register(`${config.topics.orders}-partial-value`, partialSchema);
    const partial = Buffer.concat([Buffer.from([0, 0, 0, 0, 0]), avsc.Type.forSchema(partialSchema as avsc.Schema).toBuffer({ eventId: 'p-1', eventTime: sample.eventTime })]);
    partial.writeInt32BE(partialId, 1);
    const outOfRange = orders.encode({ ...sample, eventId: 'bad-qty', quantity: 0 } as typeof sample);
    const unknownId = Buffer.from(valid);
    unknownId.writeInt32BE(0x7ffffff0, 1);

    const poison: { reason: string; value: Buffer | null }[] = [
      { reason: 'WRONG_MAGIC_BYTE', value: Buffer.from('{"not":"avro"}') },
      { reason: 'UNKNOWN_SCHEMA_ID', value: unknownId },
      { reason: 'BAD_ENCODING', value: valid.subarray(0, valid.length - 3) },
      { reason: 'BAD_ENCODING', value: Buffer.from([0, 0, 0]) },
      { reason: 'EMPTY_VALUE', value: null },
      { reason: 'MISSING_FIELD', value: partial },
      { reason: 'OUT_OF_RANGE', value: outOfRange },
    ];
    await produce(kafka, config, good.slice(0, 1_000));
    const producer = kafka.producer();
    await producer.connect();
    const records: OutRecord[] = poison.map((p, i) => ({ key: `poison-${i}`, value: p.value, partition: i % config.topics.partitions }));
    await producer.send([{ topic: config.topics.orders, messages: records }]);
    await producer.disconnect();
    await produce(kafka, config, good.slice(1_000));

    service = await withTimeout(startService(config, { logger: silent }), 60_000, 'starting the service');
    // The two contract violations decode and reach the engine's validation; the rest stop at decoding.
    const reachEngine = good.length + 2;
    await waitUntil(() => service!.runner.currentEngine.stats().eventsIn === reachEngine, 60_000, 'all records processed');
    await waitUntil(async () => (await readAll(kafka, config.topics.deadLetters)).length >= poison.length, 30_000, 'dead letters published');

    const stats = service.runner.currentEngine.stats();
    // Every good event reached the engine (the simulator's own duplicates count as duplicates).
    assert.equal(stats.accepted + stats.duplicates + stats.late, good.length);

    const dead = await readAll(kafka, config.topics.deadLetters);
    const header = (r: (typeof dead)[number], name: string) => r.headers?.[name]?.toString();
    const byKey = new Map(dead.map((r) => [r.key?.toString(), r]));
    for (const [i, p] of poison.entries()) {
      const r = byKey.get(`poison-${i}`);
      assert.ok(r, `poison ${i} (${p.reason}) is in the DLQ`);
      assert.equal(header(r, DLQ_HEADERS.reason), p.reason, `reason of poison ${i}`);
      assert.equal(header(r, DLQ_HEADERS.topic), config.topics.orders);
      assert.equal(header(r, DLQ_HEADERS.partition), String(i % config.topics.partitions));
      assert.match(header(r, DLQ_HEADERS.offset) ?? '', /^\d+$/);
      assert.ok((header(r, DLQ_HEADERS.error) ?? '').length > 0, 'an error message');
      assert.deepEqual(r.value, p.value === null ? null : p.value, 'the original value, byte for byte');
    }
    assert.equal(dead.length, poison.length);

    const metrics = await service.registry.getSingleMetricAsString('brushwatch_dead_letters_total');
    for (const reason of new Set(poison.map((p) => p.reason))) {
      const n = poison.filter((p) => p.reason === reason).length;
      assert.match(metrics, new RegExp(`brushwatch_dead_letters_total\\{reason="${reason}"\\} ${n}\\b`));
    }
    assert.equal(service.runner.isReady(), true, 'still running and ready');
  });
});
