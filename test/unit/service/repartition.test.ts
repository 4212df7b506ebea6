import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadServiceConfig } from '../../../src/config.js';
import { DECODE_FAILED, SchemaCache, createEventEncoder } from '../../../src/io/kafka/codec.js';
import { memoryRegistry, sampleOrder, sampleReview } from '../../helpers/avro.js';
import { RawPartitionClock, createSellerKeyReader, internalTopics, repartitionedConfig } from '../../../src/service/repartition.js';


const order = sampleOrder;
const review = { ...sampleReview, sellerId: 's-42' };

describe('createSellerKeyReader', () => {
  it('reads the sellerId of JSON values, and names why others cannot be keyed', () => {
    const reader = createSellerKeyReader('order', 'json', null);
    assert.equal(reader.sellerId(Buffer.from(JSON.stringify(order))), 's-17');
    assert.equal(reader.eventTime, order.eventTime);
    assert.equal(reader.sellerId(Buffer.from('{"sellerId":"s-3","eventTime":"soon"}')), 's-3');
    assert.ok(Number.isNaN(reader.eventTime), 'a non-numeric eventTime is NaN, for the engine to reject later');
    const cases: [Buffer | null, string][] = [
      [null, 'EMPTY_VALUE'],
      [Buffer.from('{"sellerId":'), 'BAD_JSON'],
      [Buffer.from('[1,2]'), 'NOT_AN_OBJECT'],
      [Buffer.from('"s-17"'), 'NOT_AN_OBJECT'],
      [Buffer.from('{"orderId":"o-1"}'), 'MISSING_FIELD'],
      [Buffer.from('{"sellerId":""}'), 'MISSING_FIELD'],
      [Buffer.from('{"sellerId":17}'), 'WRONG_TYPE'],
    ];
    for (const [value, reason] of cases) {
      assert.equal(reader.sellerId(value), DECODE_FAILED, String(value));
      assert.equal(reader.failure.reason, reason, String(value));
      assert.ok(reader.failure.detail.length > 0);
    }
  });

  it('reads the sellerId of Confluent-framed Avro through the schema cache', async () => {
    const registry = memoryRegistry();
    const cache = new SchemaCache(registry);
    const orders = await createEventEncoder('order', 'avro', 'raw-orders', registry);
    const reviews = await createEventEncoder('review', 'avro', 'raw-reviews', registry);
    const o = orders.encode(order);
    const r = reviews.encode(review);
    const orderReader = createSellerKeyReader('order', 'avro', cache);
    const reviewReader = createSellerKeyReader('review', 'avro', cache);
    await orderReader.prefetch([o]);
    await reviewReader.prefetch([r]);
    assert.equal(orderReader.sellerId(o), 's-17');
    assert.equal(reviewReader.sellerId(r), 's-42');
    assert.equal(reviewReader.eventTime, review.eventTime);

    const unknownId = Buffer.from(o);
    unknownId.writeInt32BE(999, 1);
    await orderReader.prefetch([unknownId]);
    for (const [value, reason] of [
      [unknownId, 'UNKNOWN_SCHEMA_ID'],
      [Buffer.from('{"sellerId":"s-1"}'), 'WRONG_MAGIC_BYTE'],
      [o.subarray(0, o.length - 3), 'BAD_ENCODING'],
    ] as const) {
      assert.equal(orderReader.sellerId(value), DECODE_FAILED);
      assert.equal(orderReader.failure.reason, reason);
    }
  });
});

describe('RawPartitionClock', () => {
  const H = 3_600_000;

  it('holds a partition that runs ahead of the slowest one with records, never the slowest', () => {
    const clock = new RawPartitionClock(H);
    assert.ok(clock.admit('orders:0', 0));
    clock.copied('orders:0', 10 * 60_000, false);
    assert.ok(clock.admit('orders:1', 30 * 60_000), 'within the skew');
    clock.copied('orders:1', 5 * H, false);
    assert.ok(!clock.admit('reviews:0', 2 * H), 'more than 1 h ahead of orders:0');
    clock.hold('reviews:0', '40');
    assert.ok(clock.stillHeld('reviews:0', '40'), 'the same batch fetched again is judged without decoding');
    assert.ok(!clock.stillHeld('reviews:0', '41'), 'another batch is decoded and judged');
    assert.ok(clock.admit('orders:0', 20 * 60_000), 'the slowest partition always goes');
    clock.copied('orders:0', 90 * 60_000, false);
    assert.ok(!clock.stillHeld('reviews:0', '40'), 'released once the slowest caught up');
    assert.ok(clock.admit('reviews:0', 2 * H), 'now within 1 h of the slowest');
    clock.copied('orders:0', -Infinity, false);
    assert.ok(clock.admit('reviews:0', 2 * H), 'a batch of undecodable records leaves the position where it was');
  });

  it('lets caught-up partitions hold nobody, and forgets everything on reset', () => {
    const clock = new RawPartitionClock(H);
    clock.copied('orders:0', 0, true);
    assert.ok(clock.admit('orders:1', 10 * H), 'orders:0 is at its end');
    clock.copied('orders:0', 0, false);
    assert.ok(!clock.admit('orders:1', 10 * H));
    clock.reset();
    assert.ok(clock.admit('orders:1', 10 * H), 'partitions of a previous assignment do not hold');
  });
});

describe('internal topics', () => {
  it('are named after the group, and run reads them instead of the raw topics', () => {
    const config = loadServiceConfig({ flags: { groupId: 'g1', ordersCodec: 'json', reviewsCodec: 'json', alertsCodec: 'json', inputKeyedBySeller: 'false' }, env: {} });
    assert.deepEqual(internalTopics('g1'), { orders: 'g1-orders-by-seller', reviews: 'g1-reviews-by-seller' });
    assert.equal(config.input.keyedBySeller, false);
    const run = repartitionedConfig(config);
    assert.equal(run.topics.orders, 'g1-orders-by-seller');
    assert.equal(run.topics.reviews, 'g1-reviews-by-seller');
    assert.equal(run.input.keyedBySeller, true);
    assert.equal(run.topics.alerts, config.topics.alerts);
    assert.equal(config.topics.orders, 'orders', 'the raw config is left as it was');
  });
});
