/**
 * The Avro schemas in schemas/ against the contract and the TypeScript types: they parse, every
 * field is documented, field lists match the contract in order, enums match the TS constants, and
 * a sample event / a real engine alert round-trip through Avro field for field.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import avsc from 'avsc';
import { Engine } from '../../../src/engine/engine.js';
import { parseEngineConfig } from '../../../src/engine/config.js';
import { ALERT_ACTIONS, ALERT_SCOPES, ORDER_STATUSES, SEVERITIES } from '../../../src/engine/types.js';
import type { Alert } from '../../../src/engine/types.js';
import { validateEvent } from '../../../src/engine/validate.js';
import { FAKE_SIGNALS, generateStream, order, review, T0 } from '../../helpers/fixtures.js';

interface Field {
  name: string;
  doc?: string;
  type: unknown;
  default?: unknown;
}
const load = (name: string) => JSON.parse(readFileSync(new URL(`../../../schemas/${name}.avsc`, import.meta.url), 'utf8')) as { fields: Field[] };
const schemas = { order: load('order'), review: load('review'), alert: load('alert') };

/** The contract's field tables (../shared/contract/events.md), in order. */
const CONTRACT = {
  order: ['eventId', 'orderId', 'status', 'eventTime', 'sellerId', 'buyerId', 'itemId', 'quantity', 'amountCents', 'currency', 'buyerAccountCreatedAt', 'deviceId', 'ipAddress', 'shippingAddressHash', 'paymentInstrumentHash', 'trackingNumber', 'carrier', 'parcelWeightGrams'],
  review: ['eventId', 'reviewId', 'eventTime', 'orderId', 'sellerId', 'buyerId', 'itemId', 'rating', 'text', 'hasMedia', 'deviceId', 'ipAddress'],
};
const CONTRACT_FILE = new URL('../../../../shared/contract/events.md', import.meta.url);

function allFields(t: unknown, out: Field[] = []): Field[] {
  if (Array.isArray(t)) for (const x of t) allFields(x, out);
  else if (typeof t === 'object' && t !== null) {
    const o = t as { type?: unknown; fields?: Field[]; items?: unknown };
    if (o.type === 'record') for (const f of o.fields!) out.push(f), allFields(f.type, out);
    else if (o.type === 'array') allFields(o.items, out);
    else if (typeof o.type === 'object') allFields(o.type, out);
  }
  return out;
}

test('the embedded contract field lists match the contract document, when it is present', { skip: !existsSync(CONTRACT_FILE) }, () => {
  const md = readFileSync(CONTRACT_FILE, 'utf8');
  const table = (heading: string) => {
    const part = md.split(heading)[1]!.split('\n## ')[0]!;
    return [...part.matchAll(/^\| (\w+) \|/gm)].map((m) => m[1]!).filter((n) => n !== 'field');
  };
  assert.deepEqual(table('## Topic `orders`'), CONTRACT.order);
  assert.deepEqual(table('## Topic `reviews`'), CONTRACT.review);
});

test('schemas parse, and every field of every record is documented', () => {
  for (const [name, s] of Object.entries(schemas)) {
    avsc.Type.forSchema(s as avsc.Schema);
    for (const f of allFields(s)) assert.ok(typeof f.doc === 'string' && f.doc.length > 0, `${name}.${f.name} has no doc`);
  }
});

test('event schemas carry exactly the contract fields, in order; times are timestamp-millis; optional fields default to null', () => {
  for (const kind of ['order', 'review'] as const) {
    const fields = schemas[kind].fields;
    assert.deepEqual(fields.map((f) => f.name), CONTRACT[kind]);
    for (const f of fields) {
      if (f.name === 'eventTime' || f.name === 'buyerAccountCreatedAt') assert.deepEqual(f.type, { type: 'long', logicalType: 'timestamp-millis' });
      if (Array.isArray(f.type)) {
        assert.equal(f.type[0], 'null', `${kind}.${f.name}`);
        assert.equal(f.default, null, `${kind}.${f.name}`);
      }
    }
  }
  const status = schemas.order.fields.find((f) => f.name === 'status')!.type as { symbols: string[] };
  assert.deepEqual(status.symbols, [...ORDER_STATUSES]);
});

test('a validated event round-trips through Avro field for field', () => {
  const samples = [
    order({ eventId: 'e-1', eventTime: T0, sellerId: 's', buyerId: 'b', deviceId: 'd', parcelWeightGrams: 120, amountCents: 2 ** 40 }),
    review({ eventId: 'e-2', eventTime: T0, sellerId: 's', buyerId: 'b', orderId: null, text: 'ünïcode ✓' }),
  ];
  for (const raw of samples) {
    const v = validateEvent(raw);
    assert.ok(v.ok);
    const { kind, ...record } = v.event;
    const type = avsc.Type.forSchema(schemas[kind] as avsc.Schema);
    const back = type.fromBuffer(type.toBuffer(record)) as Record<string, unknown>;
    assert.deepEqual({ ...back }, record);
    // And what comes back is again a valid event.
    assert.ok(validateEvent({ ...back, kind }).ok);
  }
});

test('a real engine alert round-trips through the alert schema; enums match the TS constants', () => {
  const engine = new Engine(parseEngineConfig({}), { signals: FAKE_SIGNALS, ring: null });
  for (const e of generateStream({ seed: 5, honest: 3, brushers: 1, hours: 30, ordersPerHour: 1, jitterMs: 1000 })) engine.ingest(e);
  engine.finish();
  const alert: Alert = engine.drainAlerts()[0]!;
  assert.ok(alert);
  const type = avsc.Type.forSchema(schemas.alert as avsc.Schema);
  const back = JSON.parse(JSON.stringify(type.fromBuffer(type.toBuffer(alert)))) as Alert;
  // Avro has no "absent": a finding's missing evidence lists come back as null.
  const KEYS = ['buyerIds', 'deviceIds', 'ipPrefixes', 'addressHashes', 'paymentHashes', 'orderIds', 'reviewIds', 'ringSellerIds'];
  const expected = {
    ...alert,
    signals: alert.signals.map((s) => ({ ...s, evidence: Object.fromEntries(KEYS.map((k) => [k, (s.evidence as Record<string, unknown>)[k] ?? null])) })),
  };
  assert.deepEqual(back, JSON.parse(JSON.stringify(expected)));
  assert.deepEqual(Object.keys(back), Object.keys(alert), 'field order of the schema = key order of the alert');
  const enumOf = (name: string) => (schemas.alert.fields.find((f) => f.name === name)!.type as { symbols: string[] }).symbols;
  assert.deepEqual(enumOf('severity'), [...SEVERITIES]);
  assert.deepEqual(enumOf('action'), [...ALERT_ACTIONS]);
  assert.deepEqual(enumOf('scope'), [...ALERT_SCOPES]);
});
