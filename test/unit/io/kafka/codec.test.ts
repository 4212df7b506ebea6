import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import type { Alert } from '../../../../src/engine/index.js';
import { validateEvent } from '../../../../src/engine/index.js';
import { memoryRegistry, sampleOrder, sampleReview } from '../../../helpers/avro.js';
import { DECODE_FAILED, SchemaCache, createAlertEncoder, createEventDecoder, createEventEncoder, createRegistrySource, decodeAlert } from '../../../../src/io/kafka/codec.js';


const order = sampleOrder;
const review = sampleReview;

describe('Avro event codec', () => {
  it('round-trips orders and reviews through the Confluent framing into valid contract events', async () => {
    const registry = memoryRegistry();
    const cache = new SchemaCache(registry);
    for (const [event, kind] of [[order, 'order'], [review, 'review']] as const) {
      const enc = await createEventEncoder(kind, 'avro', `${kind}s`, registry);
      const bytes = enc.encode(event);
      assert.equal(bytes[0], 0);
      assert.equal(bytes.readInt32BE(1), enc.schemaId);
      const dec = createEventDecoder(kind, 'avro', cache);
      await dec.prefetch([bytes]);
      const raw = dec.decode(bytes);
      assert.notEqual(raw, DECODE_FAILED);
      const v = validateEvent(raw);
      assert.ok(v.ok);
      assert.deepEqual({ ...v.event }, event);
    }
  });

  it('fetches each schema id once per cache, and only in prefetch', async () => {
    const registry = memoryRegistry();
    const enc = await createEventEncoder('order', 'avro', 'orders', registry);
    const cache = new SchemaCache(registry);
    const dec = createEventDecoder('order', 'avro', cache);
    const values = Array.from({ length: 50 }, () => enc.encode(order));
    assert.equal(dec.decode(values[0]!), DECODE_FAILED, 'no registry call on the decode path');
    await dec.prefetch(values);
    await dec.prefetch(values);
    assert.deepEqual(registry.fetches, [enc.schemaId]);
    for (const v of values) assert.notEqual(dec.decode(v), DECODE_FAILED);
  });

  it('classifies every kind of bad bytes, without throwing', async () => {
    const registry = memoryRegistry();
    const enc = await createEventEncoder('order', 'avro', 'orders', registry);
    const good = enc.encode(order);
    const unknown = Buffer.from(good);
    unknown.writeInt32BE(999, 1);
    const dec = createEventDecoder('order', 'avro', new SchemaCache(registry));
    const cases: [Buffer | null, string][] = [
      [null, 'EMPTY_VALUE'],
      [Buffer.alloc(0), 'EMPTY_VALUE'],
      [Buffer.from('{"a":1}'), 'WRONG_MAGIC_BYTE'],
      [Buffer.from([0, 0, 0]), 'BAD_ENCODING'],
      [unknown, 'UNKNOWN_SCHEMA_ID'],
      [good.subarray(0, good.length - 4), 'BAD_ENCODING'],
      [Buffer.concat([good, Buffer.from([1, 2])]), 'BAD_ENCODING'],
    ];
    await dec.prefetch(cases.map(([v]) => v));
    for (const [value, reason] of cases) {
      assert.equal(dec.decode(value), DECODE_FAILED, reason);
      assert.equal(dec.failure.reason, reason);
      assert.ok(dec.failure.detail.length > 0);
    }
    // The unknown id is asked once, then remembered as unknown.
    assert.deepEqual([...registry.fetches].sort((a, b) => a - b), [enc.schemaId as number, 999]);
  });
});

describe('JSON event codec', () => {
  it('sets kind from the topic when absent and reports bad JSON', () => {
    const dec = createEventDecoder('review', 'json', null);
    const { kind: _k, ...bare } = review;
    const raw = dec.decode(Buffer.from(JSON.stringify(bare)));
    const v = validateEvent(raw);
    assert.ok(v.ok && v.event.kind === 'review');
    assert.equal(dec.decode(Buffer.from('{nope')), DECODE_FAILED);
    assert.equal(dec.failure.reason, 'BAD_JSON');
  });
});

describe('alert codec', () => {
  const alert: Alert = {
    schemaVersion: 1, alertId: 'a-1', incidentId: 'i-1', sequence: 0, action: 'OPEN', scope: 'SELLER', sellerId: 's-17', severity: 'HIGH', score: 0.87,
    windowStart: 1_767_225_600_000, windowEnd: 1_767_229_200_000, detectedAt: 1_767_230_100_000,
    signals: [{ name: 'repeat_buyers', family: 'concentration', value: 0.8, threshold: 0.5, strength: 0.7, horizonMs: 86_400_000, baseline: null, explanation: 'x', evidence: { buyerIds: ['b-1'] } }],
    evidence: { buyerIds: ['b-1'], deviceIds: [], ipPrefixes: [], addressHashes: [], paymentHashes: [], orderIds: ['o-1'], reviewIds: [], ringSellerIds: [] },
  };

  it('encodes with alert.avsc under <topic>-value and decodes back to the same plain alert', async () => {
    const registry = memoryRegistry();
    const enc = await createAlertEncoder('avro', 'brushing-alerts', registry);
    const back = await decodeAlert(enc.encode(alert), new SchemaCache(registry));
    assert.deepEqual(back, alert);
  });

  it('JSON alerts decode too', async () => {
    const enc = await createAlertEncoder('json', 'brushing-alerts', null);
    assert.deepEqual(await decodeAlert(enc.encode(alert), null), alert);
  });
});

describe('registry source', () => {
  type Answer = { readonly status?: number; readonly body: unknown };
  const NOT_FOUND: Answer = { status: 404, body: { error_code: 40401, message: 'not found' } };
  const SCHEMA = { type: 'record', name: 'A', fields: [{ name: 'x', type: 'int' }] };

  /** A registry's Confluent API answering `answer(method, first path segment)`; runs `use` against it. */
  /** A registry answering `answer`'s reply to each request, or never when it returns null. */
  async function withStubRegistry(
    answer: (method: string, path: string) => Answer | null,
    use: (source: ReturnType<typeof createRegistrySource>) => Promise<void>,
    requestTimeoutMs?: number,
  ): Promise<void> {
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const a = answer(req.method ?? 'GET', req.url?.split('/')[1] ?? '');
        if (a !== null) res.writeHead(a.status ?? 200, { 'content-type': 'application/vnd.schemaregistry.v1+json' }).end(JSON.stringify(a.body));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      await use(createRegistrySource({ url: `http://127.0.0.1:${port}`, username: null, password: null, ...(requestTimeoutMs === undefined ? {} : { requestTimeoutMs }) }));
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  }

  it('registers a subject another instance has just created, before that one set its compatibility', async () => {
    // What the Confluent API of a registry answers in that moment: the subject exists with the
    // default compatibility NONE, and BACKWARD from the other instance's next request on.
    let configReads = 0;
    const answer = (method: string, path: string): Answer => {
      if (method === 'GET' && path === 'config') return { body: { compatibilityLevel: ++configReads === 1 ? 'NONE' : 'BACKWARD' } };
      if (method === 'POST' && path === 'subjects') return { body: { id: 7 } };
      return NOT_FOUND;
    };
    await withStubRegistry(answer, async (source) => {
      assert.equal(await source.register('alerts-value', SCHEMA), 7);
      assert.equal(configReads, 2);
    });
  });

  it('registers a subject whose compatibility another instance set between its two requests (409)', async () => {
    // Both instances found no subject, both registered it, and this one's compatibility update
    // comes second: Apicurio refuses it with 409. From then on the subject has its compatibility.
    const requests: string[] = [];
    let configSet = false;
    const answer = (method: string, path: string): Answer => {
      requests.push(`${method} ${path}`);
      if (method === 'GET' && path === 'config' && configSet) return { body: { compatibilityLevel: 'BACKWARD' } };
      if (method === 'POST' && path === 'subjects') return { body: { id: 9 } };
      if (method === 'PUT' && path === 'config') {
        configSet = true;
        return { status: 409, body: { error_code: 409, message: "A rule named 'COMPATIBILITY' already exists." } };
      }
      return NOT_FOUND;
    };
    await withStubRegistry(answer, async (source) => {
      assert.equal(await source.register('alerts-value', SCHEMA), 9);
      assert.deepEqual(requests, ['GET config', 'POST subjects', 'PUT config', 'GET config', 'POST subjects']);
    });
  });

  it('asks again when a registration gets no answer in time', { timeout: 10_000 }, async () => {
    // Apicurio once left one of six racing registrations unanswered; the others went through.
    const requests: string[] = [];
    const answer = (method: string, path: string): Answer | null => {
      requests.push(`${method} ${path}`);
      if (method === 'GET' && path === 'config') return { body: { compatibilityLevel: 'BACKWARD' } };
      if (method === 'POST' && path === 'subjects') return requests.filter((r) => r === 'POST subjects').length === 1 ? null : { body: { id: 5 } };
      return NOT_FOUND;
    };
    await withStubRegistry(
      answer,
      async (source) => {
        assert.equal(await source.register('alerts-value', SCHEMA), 5);
        assert.deepEqual(requests, ['GET config', 'POST subjects', 'GET config', 'POST subjects']);
      },
      200,
    );
  });

  it('gives up on a registry that keeps refusing, with the coded error', async () => {
    const answer = (method: string): Answer =>
      method === 'POST' ? { body: { id: 3 } } : method === 'PUT' ? { status: 409, body: { error_code: 409, message: 'no' } } : NOT_FOUND;
    await withStubRegistry(answer, async (source) => {
      await assert.rejects(source.register('alerts-value', SCHEMA), { code: 'BRUSH_REGISTRY_SCHEMA' });
    });
  });
});
