import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SETTINGS, loadServiceConfig } from '../../src/config.js';
import { BrushwatchError } from '../../src/errors.js';

const REGISTRY = { BRUSHWATCH_REGISTRY_URL: 'http://127.0.0.1:8081/apis/ccompat/v7' };

function failure(fn: () => unknown): BrushwatchError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof BrushwatchError);
    return err;
  }
  assert.fail('expected a config error');
}

describe('loadServiceConfig', () => {
  it('documents defaults and fills the engine config', () => {
    const c = loadServiceConfig({ env: REGISTRY });
    assert.deepEqual(c.kafka.brokers, ['127.0.0.1:9092']);
    assert.equal(c.topics.alerts, 'brushing-alerts');
    assert.equal(c.checkpoint.mode, 'at-least-once');
    assert.equal(c.engine.bucketMs, 3_600_000);
  });

  it('merges flags over env over file over defaults', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bw-config-'));
    try {
      const file = join(dir, 'c.json');
      writeFileSync(file, JSON.stringify({ groupId: 'from-file', topics: { orders: 'o-file', reviews: 'r-file' }, engine: { bucketMs: 1_800_000 } }));
      const c = loadServiceConfig({
        file,
        env: { ...REGISTRY, BRUSHWATCH_GROUP_ID: 'from-env', BRUSHWATCH_TOPICS_ORDERS: 'o-env', BRUSHWATCH_KAFKA_BROKERS: 'a:1, b:2' },
        flags: { ordersTopic: 'o-flag', createTopics: 'true', httpPort: '0' },
      });
      assert.equal(c.groupId, 'from-env');
      assert.equal(c.topics.orders, 'o-flag');
      assert.equal(c.topics.reviews, 'r-file');
      assert.deepEqual(c.kafka.brokers, ['a:1', 'b:2']);
      assert.equal(c.topics.create, true);
      assert.equal(c.http.port, 0);
      assert.equal(c.engine.bucketMs, 1_800_000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports every problem at once, naming value, rule, origin and fix', () => {
    const err = failure(() =>
      loadServiceConfig({ env: { ...REGISTRY, BRUSHWATCH_HTTP_PORT: 'eighty' }, flags: { idlePartitionMs: '-1', ordersCodec: 'protobuf' } }),
    );
    assert.equal(err.code, 'BRUSH_CONFIG_INVALID');
    const lines = err.message.split('\n').slice(1);
    assert.equal(lines.length, 3, err.message);
    assert.match(err.message, /http\.port = "eighty" \(from BRUSHWATCH_HTTP_PORT\): .*number.*; set BRUSHWATCH_HTTP_PORT or --http-port/);
    assert.match(err.message, /idlePartitionMs = -1 \(from --idle-partition-ms\)/);
    assert.match(err.message, /codecs\.orders = "protobuf"/);
  });

  it('reports rules across settings together with invalid single settings', () => {
    const err = failure(() => loadServiceConfig({ env: { BRUSHWATCH_HTTP_PORT: 'abc', BRUSHWATCH_KAFKA_SASL_MECHANISM: 'plain' } }));
    assert.match(err.message, /^invalid configuration \(3 problems\)/);
    assert.match(err.message, /http\.port = "abc"/);
    assert.match(err.message, /registry\.url = nothing: required because codecs\.orders, codecs\.reviews, codecs\.alerts are avro/);
    assert.match(err.message, /kafka\.sasl = mechanism plain/);
  });

  it('joins the engine config problems to its own', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bw-config-'));
    try {
      const file = join(dir, 'c.json');
      writeFileSync(file, JSON.stringify({ engine: { bucketMs: -5 } }));
      const err = failure(() => loadServiceConfig({ file, env: REGISTRY }));
      assert.match(err.message, /engine\.bucketMs/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('requires a registry for Avro, credentials for SASL, distinct topics', () => {
    assert.match(failure(() => loadServiceConfig({ env: {} })).message, /registry\.url.*required because codecs\.orders/);
    const sasl = failure(() => loadServiceConfig({ env: { ...REGISTRY, BRUSHWATCH_KAFKA_SASL_MECHANISM: 'scram-sha-512', BRUSHWATCH_KAFKA_SASL_USERNAME: 'u' } }));
    assert.match(sasl.message, /without username or password: it needs both/);
    assert.match(failure(() => loadServiceConfig({ env: REGISTRY, flags: { alertsTopic: 'orders' } })).message, /different topics/);
  });

  it('never prints a secret in an error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bw-config-'));
    try {
      const file = join(dir, 'c.json');
      writeFileSync(file, JSON.stringify({ kafka: { sasl: { mechanism: 'plain', username: 'u', password: 73519 } } }));
      const err = failure(() => loadServiceConfig({ file, env: REGISTRY }));
      assert.match(err.message, /kafka\.sasl\.password = <redacted>/);
      assert.doesNotMatch(err.message, /73519/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('role: all by default, set by BRUSHWATCH_ROLE or --role, anything else refused', () => {
    assert.equal(loadServiceConfig({ env: REGISTRY }).role, 'all');
    assert.equal(loadServiceConfig({ env: { ...REGISTRY, BRUSHWATCH_ROLE: 'sellers' } }).role, 'sellers');
    assert.equal(loadServiceConfig({ env: REGISTRY, flags: { role: 'rings' } }).role, 'rings');
    assert.match(failure(() => loadServiceConfig({ env: { ...REGISTRY, BRUSHWATCH_ROLE: 'ring' } })).message, /role/);
  });

  it('returns a deeply frozen object', () => {
    const c = loadServiceConfig({ env: REGISTRY });
    assert.ok(Object.isFrozen(c) && Object.isFrozen(c.kafka.sasl) && Object.isFrozen(c.engine));
  });

  it('names every env var after its path', () => {
    const s = SETTINGS.find((x) => x.path.join('.') === 'kafka.sasl.password');
    assert.equal(s?.env, 'BRUSHWATCH_KAFKA_SASL_PASSWORD');
    assert.equal(s?.secret, true);
  });
});
