import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { logLevel } from 'kafkajs';
import { pino } from 'pino';
import { loadServiceConfig } from '../../../../src/config.js';
import { connectError, kafkajsConfig } from '../../../../src/io/kafka/client.js';

const REGISTRY = { BRUSHWATCH_REGISTRY_URL: 'http://127.0.0.1:8081/apis/ccompat/v7' };

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: pino({ level: 'debug' }, stream) };
}

describe('kafkajsConfig', () => {
  it('maps SASL SCRAM and TLS files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bw-tls-'));
    try {
      writeFileSync(join(dir, 'ca.pem'), 'CA');
      const c = loadServiceConfig({
        env: {
          ...REGISTRY,
          BRUSHWATCH_KAFKA_SASL_MECHANISM: 'scram-sha-256',
          BRUSHWATCH_KAFKA_SASL_USERNAME: 'svc',
          BRUSHWATCH_KAFKA_SASL_PASSWORD: 'pw',
          BRUSHWATCH_KAFKA_SSL_ENABLED: 'true',
          BRUSHWATCH_KAFKA_SSL_CA_FILE: join(dir, 'ca.pem'),
          BRUSHWATCH_KAFKA_SSL_REJECT_UNAUTHORIZED: 'false',
        },
      });
      const k = kafkajsConfig(c.kafka, pino({ level: 'silent' }));
      assert.deepEqual(k.sasl, { mechanism: 'scram-sha-256', username: 'svc', password: 'pw' });
      const ssl = k.ssl as { ca: Buffer[]; rejectUnauthorized: boolean };
      assert.equal(ssl.rejectUnauthorized, false);
      assert.equal(ssl.ca[0]?.toString(), 'CA');
      assert.equal(k.logLevel, logLevel.NOTHING);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('leaves SASL and TLS off by default, and reports an unreadable PEM file', () => {
    const plain = kafkajsConfig(loadServiceConfig({ env: REGISTRY }).kafka, pino({ level: 'silent' }));
    assert.equal(plain.sasl, undefined);
    assert.equal(plain.ssl, undefined);
    const missing = loadServiceConfig({ env: { ...REGISTRY, BRUSHWATCH_KAFKA_SSL_ENABLED: 'true', BRUSHWATCH_KAFKA_SSL_CA_FILE: '/nonexistent/ca.pem' } });
    assert.throws(() => kafkajsConfig(missing.kafka, pino({ level: 'silent' })), /kafka\.ssl\.caFile = \/nonexistent\/ca\.pem cannot be read/);
  });

  it('routes kafkajs log entries to pino with their level and namespace', () => {
    const { lines, logger } = capture();
    const k = kafkajsConfig(loadServiceConfig({ env: REGISTRY }).kafka, logger);
    const log = k.logCreator!(logLevel.DEBUG);
    log({ namespace: 'Consumer', level: logLevel.WARN, label: 'WARN', log: { timestamp: 'x', message: 'rebalancing', groupId: 'g' } as never });
    assert.equal(lines.length, 1);
    assert.equal(lines[0]?.['level'], 40);
    assert.equal(lines[0]?.['msg'], 'rebalancing');
    assert.equal(lines[0]?.['namespace'], 'Consumer');
    assert.equal(lines[0]?.['component'], 'kafkajs');
    assert.equal(lines[0]?.['groupId'], 'g');
  });
});

describe('connectError', () => {
  const settings = loadServiceConfig({
    env: { ...REGISTRY, BRUSHWATCH_KAFKA_BROKERS: 'k1:9093', BRUSHWATCH_KAFKA_SASL_MECHANISM: 'scram-sha-512', BRUSHWATCH_KAFKA_SASL_USERNAME: 'svc', BRUSHWATCH_KAFKA_SASL_PASSWORD: 'secret-pw' },
  }).kafka;
  const named = (name: string, message: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(message), { name }, extra);

  it('a refused login is BRUSH_KAFKA_AUTH, not retriable, naming mechanism and user but not the password', () => {
    const err = connectError(named('KafkaJSSASLAuthenticationError', 'SASL SCRAM SHA512 authentication failed'), settings);
    assert.equal(err.code, 'BRUSH_KAFKA_AUTH');
    assert.equal(err.retriable, false);
    assert.match(err.message, /k1:9093 refused the SCRAM-SHA-512 login of user svc/);
    assert.doesNotMatch(err.message, /secret-pw/);
  });

  it('an untrusted certificate found in the cause chain is BRUSH_KAFKA_TLS', () => {
    const cause = named('KafkaJSConnectionError', 'self-signed certificate in certificate chain', { code: 'SELF_SIGNED_CERT_IN_CHAIN' });
    const err = connectError(named('KafkaJSNumberOfRetriesExceeded', 'retries exceeded', { cause }), settings);
    assert.equal(err.code, 'BRUSH_KAFKA_TLS');
    assert.match(err.message, /SELF_SIGNED_CERT_IN_CHAIN/);
    assert.match(err.message, /kafka\.ssl\.caFile/);
  });

  it('anything else is BRUSH_KAFKA_CONNECT, retriable', () => {
    const err = connectError(named('KafkaJSConnectionError', 'Connection error: connect ECONNREFUSED', { code: 'ECONNREFUSED' }), settings);
    assert.equal(err.code, 'BRUSH_KAFKA_CONNECT');
    assert.equal(err.retriable, true);
  });
});
