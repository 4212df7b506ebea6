import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Counter, Registry } from 'prom-client';
import { createHttpServer } from '../../../src/service/http.js';

describe('createHttpServer', () => {
  const registry = new Registry();
  new Counter({ name: 'brushwatch_test_total', help: 'x', registers: [registry] }).inc(3);
  let missing: string[] = ['not in the consumer group yet'];
  const server = createHttpServer({ host: '127.0.0.1', port: 0, registry, readiness: () => missing });
  let base = '';

  after(() => server.stop());

  it('serves /metrics, /livez and a /readyz that follows readiness', async () => {
    base = `http://127.0.0.1:${await server.start()}`;
    const metrics = await fetch(`${base}/metrics`);
    assert.equal(metrics.status, 200);
    assert.equal(metrics.headers.get('content-type'), registry.contentType);
    assert.match(await metrics.text(), /^brushwatch_test_total 3$/m);
    assert.equal((await fetch(`${base}/livez`)).status, 200);
    const before = await fetch(`${base}/readyz`);
    assert.equal(before.status, 503);
    assert.equal(await before.text(), 'not ready:\n- not in the consumer group yet\n');
    missing = [];
    const ready = await fetch(`${base}/readyz`);
    assert.equal(ready.status, 200);
    assert.equal(await ready.text(), 'ready\n');
    missing = ['shutting down', 'schema registry: unreachable'];
    const after = await fetch(`${base}/readyz`);
    assert.equal(after.status, 503);
    assert.equal(await after.text(), 'not ready:\n- shutting down\n- schema registry: unreachable\n');
    assert.equal((await fetch(`${base}/nope`)).status, 404);
    assert.equal((await fetch(`${base}/metrics`, { method: 'POST' })).status, 405);
  });
});
