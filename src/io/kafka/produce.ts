/**
 * Writes contract events to the input topics (simulate --to-kafka, tests, bench): keyed by
 * sellerId as the platform does, record timestamp = eventTime so `replay --kafka --from/--to`
 * selects by event time, Avro (registered under `<topic>-value`) or JSON per topic.
 */
import type { MarketEvent } from '../../engine/index.js';
import type { KafkaClient, OutRecord } from './client.js';
import { createEventEncoder } from './codec.js';
import type { CodecName, SchemaSource } from './codec.js';

export interface ProduceOptions {
  readonly ordersTopic: string;
  readonly reviewsTopic: string;
  readonly codecs: { readonly orders: CodecName; readonly reviews: CodecName };
  readonly registry: SchemaSource | null;
  /** Records per send. Default 2000. */
  readonly batchSize?: number;
}

export interface ProduceResult {
  readonly orders: number;
  readonly reviews: number;
}

export async function produceEvents(kafka: KafkaClient, events: Iterable<MarketEvent> | AsyncIterable<MarketEvent>, options: ProduceOptions): Promise<ProduceResult> {
  const orders = await createEventEncoder('order', options.codecs.orders, options.ordersTopic, options.registry);
  const reviews = await createEventEncoder('review', options.codecs.reviews, options.reviewsTopic, options.registry);
  const producer = kafka.producer();
  const batchSize = options.batchSize ?? 2_000;
  let o: OutRecord[] = [];
  let r: OutRecord[] = [];
  let nOrders = 0;
  let nReviews = 0;
  const flush = async () => {
    await producer.send([
      { topic: options.ordersTopic, messages: o },
      { topic: options.reviewsTopic, messages: r },
    ]);
    nOrders += o.length;
    nReviews += r.length;
    o = [];
    r = [];
  };
  await producer.connect();
  try {
    for await (const e of events) {
      if (e.kind === 'order') o.push({ key: e.sellerId, value: orders.encode(e), timestamp: String(e.eventTime) });
      else r.push({ key: e.sellerId, value: reviews.encode(e), timestamp: String(e.eventTime) });
      if (o.length + r.length >= batchSize) await flush();
    }
    await flush();
  } finally {
    await producer.disconnect();
  }
  return { orders: nOrders, reviews: nReviews };
}
