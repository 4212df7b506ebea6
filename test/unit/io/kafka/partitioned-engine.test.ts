import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Engine, parseEngineConfig } from '../../../../src/engine/index.js';
import type { MarketEvent } from '../../../../src/engine/index.js';
import { futureHorizon, partitionedEngineConfig } from '../../../../src/io/kafka/partitioned-engine.js';

describe('partitionedEngineConfig', () => {
  it('lets a topic whose data starts days later through; the wall clock judges the future', () => {
    const config = parseEngineConfig({});
    const order = { kind: 'order', eventId: 'o', orderId: 'o-1', status: 'PLACED', eventTime: 1_767_225_600_000, sellerId: 's', buyerId: 'b', itemId: 'i', quantity: 1, amountCents: 1, currency: 'USD', buyerAccountCreatedAt: 1_764_633_600_000, deviceId: null, ipAddress: null, shippingAddressHash: null, paymentInstrumentHash: null, trackingNumber: null, carrier: null, parcelWeightGrams: null } as const;
    const review: MarketEvent = { kind: 'review', eventId: 'r', reviewId: 'r-1', eventTime: order.eventTime + 3 * 86_400_000, orderId: 'o-1', sellerId: 's', buyerId: 'b', itemId: 'i', rating: 5, text: '', hasMedia: false, deviceId: null, ipAddress: null };
    const plain = new Engine(config, { watermark: 'external' });
    plain.ingest(order);
    assert.equal(plain.ingest(review).reason, 'FUTURE_TIME', 'what the engine alone does with a review topic read early');
    const partitioned = new Engine(partitionedEngineConfig(config), { watermark: 'external' });
    partitioned.ingest(order);
    assert.equal(partitioned.ingest(review).outcome, 'accepted');
    assert.equal(futureHorizon(config, 1_000), 1_000 + config.futureToleranceMs);
  });
});
