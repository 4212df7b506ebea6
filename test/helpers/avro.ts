/** Test doubles for the Avro path: an in-memory schema registry and one sample event of each kind. */
import avsc from 'avsc';
import type { OrderEvent, ReviewEvent } from '../../src/engine/index.js';
import type { AvroType, SchemaSource } from '../../src/io/kafka/codec.js';

/** An in-memory registry with the SchemaSource contract; counts fetches. */
export function memoryRegistry(): SchemaSource & { fetches: number[] } {
  const byId = new Map<number, object>();
  const bySubject = new Map<string, number>();
  const fetches: number[] = [];
  return {
    fetches,
    async fetch(id) {
      fetches.push(id);
      const s = byId.get(id);
      return s === undefined ? null : (avsc.Type.forSchema(s as avsc.Schema) as AvroType);
    },
    async register(subject, schema) {
      const known = [...byId].find(([, s]) => JSON.stringify(s) === JSON.stringify(schema));
      const id = known?.[0] ?? byId.size + 1;
      byId.set(id, schema);
      bySubject.set(subject, id);
      return id;
    },
    async ping() {},
  };
}

export const sampleOrder: OrderEvent = {
  kind: 'order', eventId: 'e-1', orderId: 'o-1', status: 'PLACED', eventTime: 1_767_225_600_000, sellerId: 's-17', buyerId: 'b-9', itemId: 'i-3',
  quantity: 1, amountCents: 1299, currency: 'USD', buyerAccountCreatedAt: 1_764_633_600_000, deviceId: 'd-4', ipAddress: '203.0.113.7',
  shippingAddressHash: 'a-88', paymentInstrumentHash: 'p-51', trackingNumber: null, carrier: null, parcelWeightGrams: null,
};
export const sampleReview: ReviewEvent = {
  kind: 'review', eventId: 'e-2', reviewId: 'r-1', eventTime: 1_767_398_400_000, orderId: null, sellerId: 's-17', buyerId: 'b-9', itemId: 'i-3',
  rating: 5, text: 'great', hasMedia: false, deviceId: null, ipAddress: null,
};
