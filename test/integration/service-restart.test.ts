/**
 * `brushwatch run` as a real OS process: SIGTERM while events are still being produced, a
 * restart, and the alerts topic equals an uninterrupted run (the file replay of the same events,
 * which service-pipeline.test.ts shows equals an uninterrupted live run).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { ServiceConfig } from '../../src/config.js';
import type { KafkaClient } from '../../src/io/kafka/client.js';
import { withTimeout, waitUntil } from './helpers/timeout.js';
import { client, configEnv, createTopics, deleteTopics, fileReplayAlerts, produce, readAlerts, sortAlerts, testConfig, eventsWithAlerts } from './service-support.js';

async function freePort(): Promise<number> {
  const srv = createServer().listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const { port } = srv.address() as AddressInfo;
  srv.close();
  await once(srv, 'close');
  return port;
}

/** A `brushwatch run` process; its log (pino on stdout, at info) and stderr are kept for failures. */
function startProcess(env: Record<string, string>): { child: ChildProcess; exited: Promise<number | null>; output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'run'], {
    env: { ...process.env, ...env, BRUSHWATCH_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return { child, exited, output: () => out.slice(-4000) };
}

async function metric(port: number, name: string): Promise<number | null> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    let sum: number | null = null;
    for (const line of text.split('\n')) if (line.startsWith(name) && (line[name.length] === ' ' || line[name.length] === '{')) sum = (sum ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1));
    return sum;
  } catch {
    return null;
  }
}

describe('SIGTERM mid-stream and restart', () => {
  let config: Readonly<ServiceConfig>;
  let kafka: KafkaClient;
  const running: ChildProcess[] = [];

  before(async () => {
    config = testConfig({ httpPort: String(await freePort()) });
    kafka = client(config);
    await createTopics(kafka, config);
  });

  after(async () => {
    for (const c of running) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await withTimeout(deleteTopics(kafka, config), 30_000, 'deleting topics').catch(() => undefined);
  });

  it('restarts from the committed offsets and saved state: alerts equal an uninterrupted run', async (t) => {
    const events = eventsWithAlerts(config.engine);
    const cut = Math.floor(events.length * 0.6);
    const port = config.http.port;
    const env = configEnv(config);
    await produce(kafka, config, events.slice(0, cut));

    const first = startProcess(env);
    running.push(first.child);
    await waitUntil(async () => ((await metric(port, 'brushwatch_events_consumed_total')) ?? 0) >= cut, 90_000, 'the first process read the first part');
    // The rest is produced in slices while the first process runs; it is stopped in the middle.
    const rest = (async () => {
      const slice = Math.ceil((events.length - cut) / 20);
      for (let i = cut; i < events.length; i += slice) {
        await produce(kafka, config, events.slice(i, i + slice));
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    await waitUntil(async () => ((await metric(port, 'brushwatch_events_consumed_total')) ?? 0) > cut, 60_000, 'the first process reads the second part');
    first.child.kill('SIGTERM');
    const code = await withTimeout(first.exited, 30_000, 'the first process exits after SIGTERM');
    assert.equal(code, 0, `exit code after SIGTERM; stderr: ${first.output()}`);
    await rest;
    const firstRead = Number(/"eventsIn":(\d+)[^\n]*final checkpoint written/.exec(first.output())?.[1]);
    assert.ok(firstRead > cut && firstRead < events.length, `stopped mid-stream: the first process read ${firstRead} of ${events.length}`);

    const second = startProcess(env);
    running.push(second.child);
    const file = await fileReplayAlerts(events, config);
    const maxTime = Math.max(...events.map((e) => e.eventTime));
    const finalWm = (maxTime - config.engine.allowedDisorderMs) / 1000;
    await waitUntil(async () => (await metric(port, 'brushwatch_watermark_seconds')) === finalWm, 90_000, 'the second process reaches the final watermark').catch((err: unknown) => {
      throw new Error(`${(err as Error).message}\nfirst process:\n${first.output()}\nsecond process:\n${second.output()}`);
    });
    await waitUntil(async () => (await metric(port, 'brushwatch_consumer_lag_messages')) === 0, 30_000, 'offsets committed');
    second.child.kill('SIGTERM');
    assert.equal(await withTimeout(second.exited, 30_000, 'the second process exits'), 0, second.output());

    const live = await readAlerts(kafka, config);
    t.diagnostic(`${events.length} events, first process stopped after ${firstRead}: ${live.length} alerts on Kafka, ${file.length} from the file replay`);
    assert.ok(file.length > 0, 'the scenario must produce alerts');
    assert.equal(new Set(live.map((a) => a.alertId)).size, live.length, 'no alert published twice');
    assert.deepEqual(sortAlerts(live), sortAlerts(file), `first process:\n${first.output()}\nsecond process:\n${second.output()}`);
  });
});
