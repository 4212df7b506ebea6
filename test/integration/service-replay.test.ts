/**
 * `brushwatch replay --kafka --from --to` (a real CLI process) gives the same alerts as the file
 * replay of the same events, and leaves the live group and the alerts topic untouched.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ServiceConfig } from '../../src/config.js';
import type { Alert, MarketEvent } from '../../src/engine/index.js';
import type { KafkaClient } from '../../src/io/kafka/client.js';
import { replayFile } from '../../src/io/file/replay.js';
import { withTimeout } from './helpers/timeout.js';
import { client, configEnv, createTopics, deleteTopics, produce, readAll, testConfig, tinyEvents } from './service-support.js';

const DAY = 86_400_000;

function readAlertsFile(text: string): Alert[] {
  return text.split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l) as Alert);
}

describe('replay --kafka', () => {
  let config: Readonly<ServiceConfig>;
  let kafka: KafkaClient;
  let dir: string;

  before(async () => {
    config = testConfig();
    kafka = client(config);
    await createTopics(kafka, config);
    dir = await mkdtemp(join(tmpdir(), 'bw-kreplay-'));
  });

  after(async () => {
    await withTimeout(deleteTopics(kafka, config), 30_000, 'deleting topics').catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a time range by record timestamp and equals the file replay of those events', async (t) => {
    // The first seed whose in-range events give alerts (the engine's tuning evolves; a range
    // without alerts would prove nothing).
    let events: MarketEvent[] = [];
    let inside: MarketEvent[] = [];
    let from = 0;
    let to = 0;
    let fromFile: Alert[] = [];
    for (const seed of [5, 11, 7, 3, 13, 17]) {
      events = tinyEvents(seed, config.engine);
      const t0 = Math.min(...events.map((e) => e.eventTime));
      from = t0 + DAY;
      to = t0 + 7 * DAY;
      inside = events.filter((e) => e.eventTime >= from && e.eventTime < to);
      await writeFile(join(dir, 'inside.ndjson'), inside.map((e) => JSON.stringify(e)).join('\n') + '\n');
      const summary = await replayFile({ input: join(dir, 'inside.ndjson'), output: join(dir, 'file-alerts.ndjson'), config: config.engine });
      assert.equal(summary.stats.late, 0);
      fromFile = readAlertsFile(await readFile(join(dir, 'file-alerts.ndjson'), 'utf8'));
      if (fromFile.length > 0) break;
    }
    assert.ok(fromFile.length > 0, 'some seed must produce alerts in the range');
    // Produced in three phases so each partition holds them in time-range order; within a
    // phase the emission order (with its disorder) is kept.
    const before = events.filter((e) => e.eventTime < from);
    const later = events.filter((e) => e.eventTime >= to);
    for (const phase of [before, inside, later]) await produce(kafka, config, phase);

    const output = join(dir, 'kafka-alerts.ndjson');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'replay', '--kafka', '--from', new Date(from).toISOString(), '--to', String(to), '--output', output],
      { env: { ...process.env, ...configEnv(config) }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const [code] = await withTimeout(once(child, 'exit'), 120_000, 'replay --kafka').catch((err: unknown) => {
      child.kill('SIGKILL');
      throw err;
    });
    assert.equal(code, 0, stderr);
    assert.match(stdout, new RegExp(`records +${inside.length} read from Kafka`));
    assert.match(stdout, /late +0\n/);

    const fromKafka = readAlertsFile(await readFile(output, 'utf8'));
    t.diagnostic(`${inside.length} of ${events.length} events in range: ${fromKafka.length} alerts from Kafka, ${fromFile.length} from the file`);
    const byId = (a: Alert, b: Alert) => (a.alertId < b.alertId ? -1 : 1);
    assert.deepEqual([...fromKafka].sort(byId), [...fromFile].sort(byId));

    // Nothing written to Kafka, nothing committed for the live group.
    assert.equal((await readAll(kafka, config.topics.alerts)).length, 0);
    const admin = kafka.admin();
    await admin.connect();
    try {
      const committed = await admin.committedOffsets(config.groupId, [config.topics.orders, config.topics.reviews]);
      assert.ok(committed.every((o) => o.offset === '-1'), `live group offsets: ${JSON.stringify(committed)}`);
    } finally {
      await admin.disconnect();
    }
  });
});
