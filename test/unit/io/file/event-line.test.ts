import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEventLine } from '../../../../src/io/file/event-line.js';
import { validateEvent } from '../../../../src/engine/validate.js';
import { order, review, rng, T0 } from '../../../helpers/fixtures.js';

const parse = (line: string) => {
  const b = Buffer.from(line, 'utf8');
  return parseEventLine(b, 0, b.length);
};

/** What replay concludes from a line: the validated event, or the rejection. */
function outcome(rec: unknown): unknown {
  const v = validateEvent(rec);
  return v.ok ? v.event : [v.reason, v.detail];
}

test('simple event lines give exactly what JSON.parse + validation gives', () => {
  const r = rng(3);
  let fastOnes = 0;
  for (let i = 0; i < 500; i++) {
    const base = { eventId: `e-${i}`, eventTime: T0 + i * 1000, sellerId: `s-${i % 7}`, buyerId: `b-${i}` };
    const e: Record<string, unknown> =
      r() < 0.5
        ? { ...order({ ...base, deviceId: r() < 0.5 ? null : 'd-1', parcelWeightGrams: r() < 0.5 ? null : Math.floor(r() * 3000) }) }
        : { ...review({ ...base, orderId: r() < 0.2 ? null : `o-${i}`, text: r() < 0.3 ? 'très bien 👍' : 'ok', rating: 1 + Math.floor(r() * 5) }) };
    // Extra fields, a missing optional, values out of range: the same verdict either way.
    if (r() < 0.2) e['extra'] = { nested: [1, 2] };
    if (r() < 0.2) e['note'] = 'x';
    if (r() < 0.2) delete e['ipAddress'];
    if (r() < 0.1) e['quantity'] = 0;
    if (r() < 0.1) e['rating'] = 9;
    const line = r() < 0.2 ? JSON.stringify(e, null, 1).replace(/\n/g, ' ') : JSON.stringify(e);
    const fast = parse(line);
    const expected = outcome(JSON.parse(line));
    if (fast === undefined) continue;
    fastOnes++;
    assert.deepEqual(outcome(fast), expected, line);
  }
  assert.ok(fastOnes > 300, `only ${fastOnes} of 500 lines took the fast path`);
});

test('the fast path takes ordinary lines and leaves everything unusual to JSON.parse', () => {
  const good = JSON.stringify(order({ eventId: 'e-1', eventTime: T0, sellerId: 's', buyerId: 'b' }));
  assert.notEqual(parse(good), undefined);
  assert.notEqual(parse(`  ${good}\r`), undefined);
  assert.notEqual(parse(good.replace('"orderId"', '"zzz":"unknown","orderId"')), undefined);
  const unusual = [
    good.replace('"b"', '"b\\u0041"'), // escape
    good.replace(`"eventTime":${T0}`, `"eventTime":${T0}.0`), // fraction
    good.replace(`"eventTime":${T0}`, '"eventTime":1.7e12'), // exponent
    good.replace(`"eventTime":${T0}`, '"eventTime":01'), // leading zero: invalid JSON
    good.replace('"orderId"', '"eventId":"again","orderId"'), // repeated key
    good.replace('"orderId"', '"x":{"y":1},"orderId"'), // nested value
    good.replace('"kind":"order"', '"kind":"refund"'),
    good.replace('"kind":"order",', ''),
    good.slice(0, -1), // truncated
    `${good} x`, // trailing garbage
    '[1,2]',
    '{}',
  ];
  for (const line of unusual) assert.equal(parse(line), undefined, line);
  // Invalid UTF-8 in a string: left to the reader's encoding check.
  const bytes = Buffer.concat([Buffer.from(good.slice(0, -2)), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
  assert.equal(parseEventLine(bytes, 0, bytes.length), undefined);
});

test('numbers and literals decode as JSON.parse decodes them', () => {
  const line = JSON.stringify({ ...review({ eventId: 'e', eventTime: T0, sellerId: 's', buyerId: 'b', hasMedia: true }), rating: -0 });
  const rec = parse(line.replace('"rating":0', '"rating":-0'))!;
  assert.ok(Object.is(rec['rating'], -0));
  assert.equal(rec['hasMedia'], true);
  assert.equal(rec['eventTime'], T0);
  assert.equal(parse(line.replace('"hasMedia":true', '"hasMedia":false'))!['hasMedia'], false);
  assert.equal(parse(line.replace('"hasMedia":true', '"hasMedia":null'))!['hasMedia'], null);
});

test('lines of any key order and many values per field parse exactly', () => {
  const r = rng(11);
  for (let i = 0; i < 300; i++) {
    const base = { eventId: `e-${i}`, eventTime: T0 + i, sellerId: `s-${i % 5}`, buyerId: `b-${i}` };
    const e: Record<string, unknown> =
      r() < 0.7
        ? { ...order({ ...base, status: 'SHIPPED', carrier: `carrier-${i % 20}`, trackingNumber: `t-${i}`, parcelWeightGrams: 100 + i }) }
        : { ...review({ ...base, orderId: `o-${i}`, rating: 1 + (i % 5) }) };
    // Keys in a different order now and then: the learned order must not decide anything.
    const keys = Object.keys(e);
    if (r() < 0.3)
      for (let j = keys.length - 1; j > 0; j--) {
        const k = Math.floor(r() * (j + 1));
        [keys[j], keys[k]] = [keys[k]!, keys[j]!];
      }
    const line = JSON.stringify(Object.fromEntries(keys.map((k) => [k, e[k]])));
    const b = Buffer.from(line, 'utf8');
    const rec = parseEventLine(b, 0, b.length);
    assert.ok(rec, line);
    // Every field as JSON.parse has it, absent ones undefined (nothing left from an earlier line).
    const parsed = JSON.parse(line) as Record<string, unknown>;
    for (const [k, v] of Object.entries(rec)) assert.equal(v, parsed[k], `${k} in ${line}`);
    assert.deepEqual(outcome(rec), outcome(parsed), line);
  }
});

test('strings of every length decode to the same text (short ones are built from their codes)', () => {
  for (let n = 0; n <= 40; n++) {
    const text = Array.from({ length: n }, (_, k) => String.fromCharCode(0x23 + ((k * 7 + n) % 57))).join('');
    const e = { ...review({ eventId: `e-${n}`, eventTime: T0, sellerId: 's', buyerId: `b${'x'.repeat(n)}` }), text };
    const line = JSON.stringify(e);
    const rec = parse(line);
    assert.ok(rec, line);
    assert.equal(rec['text'], text);
    assert.equal(rec['buyerId'], e.buyerId);
  }
});

test('a record holds its kind\'s contract fields only, in the contract\'s order', () => {
  const o = parse(JSON.stringify({ ...order({ eventId: 'e', eventTime: T0, sellerId: 's', buyerId: 'b' }), rating: 5, text: 'x' }));
  assert.deepEqual(Object.keys(o!), [
    'kind', 'eventId', 'orderId', 'status', 'eventTime', 'sellerId', 'buyerId', 'itemId', 'quantity', 'amountCents', 'currency',
    'buyerAccountCreatedAt', 'deviceId', 'ipAddress', 'shippingAddressHash', 'paymentInstrumentHash', 'trackingNumber', 'carrier', 'parcelWeightGrams',
  ]);
  const r = parse(JSON.stringify({ ...review({ eventId: 'e', eventTime: T0, sellerId: 's', buyerId: 'b' }), status: 'PAID' }));
  assert.deepEqual(Object.keys(r!), ['kind', 'eventId', 'reviewId', 'eventTime', 'orderId', 'sellerId', 'buyerId', 'itemId', 'rating', 'text', 'hasMedia', 'deviceId', 'ipAddress']);
});
