/**
 * A schema registry outage while running: records whose schema is not cached wait (nothing is
 * dead-lettered, nothing processed out of order), /readyz answers 503 naming the registry, and
 * once it answers again everything is processed and the alerts equal the file replay. The
 * registry sits behind a proxy the test switches off and on.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { ServiceConfig } from '../../src/config.js';
import type { MarketEvent } from '../../src/engine/index.js';
import type { KafkaClient } from '../../src/io/kafka/client.js';
import { startService } from '../../src/service/service.js';
import type { Service } from '../../src/service/service.js';
import { registryUrl } from './helpers/kafka.js';
import { waitUntil, withTimeout } from './helpers/timeout.js';
import { client, createTopics, drained, deleteTopics, eventsWithAlerts, fileReplayAlerts, produce, readAlerts, readAll, silent, sortAlerts, testConfig } from './service-support.js';

const real = registryUrl();

/** Forwards to the real registry, or answers 503 while `down`. */
function registryProxy(target: string): { server: Server; down: boolean; url: () => string } {
  const origin = new URL(target).origin;
  const proxy = {
    down: false,
    server: createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (proxy.down) {
          res.writeHead(503).end('registry down (test)');
          return;
        }
        const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
        fetch(`${origin}${req.url ?? '/'}`, { method: req.method ?? 'GET', headers: { 'content-type': req.headers['content-type'] ?? 'application/json' }, ...(body ? { body } : {}) })
          .then(async (r) => res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/json' }).end(Buffer.from(await r.arrayBuffer())))
          .catch(() => res.writeHead(502).end());
      });
    }),
    url: () => `http://127.0.0.1:${(proxy.server.address() as AddressInfo).port}${new URL(target).pathname}`,
  };
  return proxy;
}

describe('schema registry outage while running', { skip: real === undefined && 'no schema registry: SCHEMA_REGISTRY_URL unset (see scripts/kafka-local.sh)' }, () => {
  const proxy = registryProxy(real ?? 'http://127.0.0.1:1/');
  let config: Readonly<ServiceConfig>;
  let direct: Readonly<ServiceConfig>;
  let kafka: KafkaClient;
  let service: Service | undefined;
  let events: MarketEvent[];

  before(async () => {
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    config = testConfig({ registryUrl: proxy.url() });
    // The producer registers the event schemas at the real registry, behind the service's back.
    direct = { ...config, registry: { ...config.registry, url: real ?? null } };
    events = eventsWithAlerts(config.engine);
    kafka = client(config);
    await createTopics(kafka, config);
  });

  after(async () => {
    if (service !== undefined) await withTimeout(service.stop(), 30_000, 'stopping the service').catch(() => undefined);
    await withTimeout(deleteTopics(kafka, config), 30_000, 'deleting topics').catch(() => undefined);
    proxy.server.closeAllConnections();
    await new Promise((resolve) => proxy.server.close(resolve));
  });

  it('waits for the registry, says so on /readyz, then processes everything once', async (t) => {
    service = await withTimeout(startService(config, { logger: silent }), 60_000, 'starting the service');
    const base = `http://127.0.0.1:${service.port}`;
    await waitUntil(async () => (await fetch(`${base}/readyz`)).status === 200, 30_000, '/readyz 200 after the group join');

    proxy.down = true;
    await withTimeout(produce(kafka, direct, events), 60_000, 'producing the scenario');
    let body = '';
    await waitUntil(
      async () => {
        const r = await fetch(`${base}/readyz`);
        body = await r.text();
        return r.status === 503;
      },
      30_000,
      '/readyz 503 once a batch needs an uncached schema',
    );
    assert.match(body, /^not ready:\n- schema registry: .*503/);
    assert.equal(service.runner.currentEngine.stats().eventsIn, 0, 'no record is processed without its schema');

    proxy.down = false;
    await drained(service, events.length, config);
    assert.equal((await fetch(`${base}/readyz`)).status, 200);
    await withTimeout(service.stop(), 30_000, 'graceful stop');
    service = undefined;

    assert.equal((await readAll(kafka, config.topics.deadLetters)).length, 0, 'nothing dead-lettered for the outage');
    const live = await readAlerts(kafka, direct);
    const file = await fileReplayAlerts(events, config);
    assert.ok(file.length > 0, 'the scenario must produce alerts, or the comparison proves nothing');
    t.diagnostic(`${events.length} events across the outage → ${live.length} alerts on Kafka, ${file.length} from the file replay`);
    assert.deepEqual(sortAlerts(live), sortAlerts(file));
  });
});
