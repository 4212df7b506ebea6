/**
 * A real Prometheus server against a real `brushwatch run` on the real broker: Prometheus scrapes
 * the service with the project's scrape config and rules, and the "no events processed" alert
 * fires once the input stops. The rules are the real ones with every range and `for:` shortened
 * (10 s / 5 s, scraped and evaluated every second), so the test takes well under a minute.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import type { ServiceConfig } from '../../src/config.js';
import type { KafkaClient } from '../../src/io/kafka/client.js';
import { createSimulation } from '../../src/sim/simulator.js';
import { SCENARIOS } from '../../src/sim/scenarios.js';
import { ServiceProcess, freePort, stopAllServices } from './helpers/process.js';
import { waitUntil, withTimeout } from './helpers/timeout.js';
import { client, configEnv, createTopics, deleteTopics, produce, testConfig } from './service-support.js';

const root = join(import.meta.dirname, '..', '..');
const promDir = join(root, 'deploy', 'prometheus');
const hasPrometheus = spawnSync('prometheus', ['--version']).status === 0;
const hasBroker = (process.env.KAFKA_BROKERS ?? '').trim() !== '';
const skip = !hasPrometheus
  ? 'prometheus not found: install Debian package prometheus (CI does)'
  : !hasBroker
    ? 'KAFKA_BROKERS unset: run through `npm test` (it starts scripts/kafka-local.sh) or set it'
    : false;

interface Rule {
  expr: string;
  for?: string;
}

/** The project's rules with short windows: every `[range]` becomes [10s], every `for:` 5s. */
function shortenRules(text: string): string {
  const doc = parse(text) as { groups: { interval?: string; rules: Rule[] }[] };
  for (const g of doc.groups) {
    for (const r of g.rules) {
      r.expr = r.expr.replace(/\[\d+[smhdwy]\]/g, '[10s]');
      if (r.for !== undefined) r.for = '5s';
    }
  }
  return stringify(doc);
}

let dir = '';
let config: Readonly<ServiceConfig> | undefined;
let kafka: KafkaClient | undefined;
let service: ServiceProcess | undefined;
let prometheus: ChildProcess | undefined;
let prometheusExited: Promise<unknown> = Promise.resolve();
let prometheusLog = '';
let promUrl = '';
let target = '';

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}
interface ActiveAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: 'pending' | 'firing';
}

async function query(promql: string): Promise<Sample[]> {
  const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(promql)}`, { signal: AbortSignal.timeout(5_000) });
  const body = (await res.json()) as { status: string; data: { result: Sample[] }; error?: string };
  assert.equal(body.status, 'success', `${promql}: ${body.error ?? ''}`);
  return body.data.result;
}

async function activeAlerts(name: string): Promise<ActiveAlert[]> {
  const res = await fetch(`${promUrl}/api/v1/alerts`, { signal: AbortSignal.timeout(5_000) });
  const body = (await res.json()) as { data: { alerts: ActiveAlert[] } };
  return body.data.alerts.filter((a) => a.labels.alertname === name);
}

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'brushwatch-prom-'));
  const httpPort = await freePort();
  target = `127.0.0.1:${httpPort}`;
  config = testConfig({ httpPort: String(httpPort) });
  kafka = client(config);
  await createTopics(kafka, config);
  service = ServiceProcess.start({ env: configEnv(config), httpPort });
  await service.ready(90_000);

  // The real scrape config and rules, pointed at this service and sped up.
  const rulesDir = join(dir, 'rules');
  mkdirSync(rulesDir, { recursive: true });
  for (const f of ['recording.yml', 'alerts.yml']) writeFileSync(join(rulesDir, f), shortenRules(readFileSync(join(promDir, 'rules', f), 'utf8')));
  const promConfig = parse(readFileSync(join(promDir, 'prometheus.yml'), 'utf8')) as {
    global: Record<string, string>;
    scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
  };
  promConfig.global.scrape_interval = '1s';
  promConfig.global.evaluation_interval = '1s';
  const job = promConfig.scrape_configs.find((s) => s.job_name === 'brushwatch');
  assert.ok(job, 'prometheus.yml has no brushwatch job');
  job.static_configs = [{ targets: [target] }];
  promConfig.scrape_configs = [job];
  writeFileSync(join(dir, 'prometheus.yml'), stringify(promConfig));

  const promPort = await freePort();
  promUrl = `http://127.0.0.1:${promPort}`;
  prometheus = spawn(
    'prometheus',
    [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${promPort}`],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  prometheus.stderr?.on('data', (d: Buffer) => (prometheusLog = (prometheusLog + d.toString()).slice(-20_000)));
  const child = prometheus;
  prometheusExited = new Promise((resolve) => child.once('exit', resolve));
  await waitUntil(
    () => fetch(`${promUrl}/-/ready`).then((r) => r.ok, () => false),
    30_000,
    'prometheus /-/ready',
  );
});

after(async () => {
  if (prometheus !== undefined && prometheus.exitCode === null) {
    prometheus.kill('SIGTERM');
    await withTimeout(prometheusExited, 15_000, 'prometheus shutdown').catch(() => prometheus?.kill('SIGKILL'));
  }
  await service?.terminate(30_000).catch(() => undefined);
  await stopAllServices();
  if (kafka !== undefined && config !== undefined) await withTimeout(deleteTopics(kafka, config), 15_000, 'delete topics').catch(() => undefined);
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

test('Prometheus scrapes brushwatch run with the project config', { skip, timeout: 60_000 }, async () => {
  await waitUntil(async () => (await query('up{job="brushwatch"} == 1')).length === 1, 30_000, `up == 1 for ${target}\n${prometheusLog}`);
  const [up] = await query('up{job="brushwatch"}');
  assert.equal(up?.metric.instance, target);
  const build = await query('brushwatch_build_info{job="brushwatch"}');
  assert.equal(build.length, 1);
  assert.match(build[0]?.metric.node_version ?? '', /^v\d+/);
  assert.equal((await query('brushwatch_ready{job="brushwatch"}'))[0]?.value[1], '1');
});

test('while events flow the "no events processed" alert is quiet; once input stops it fires', { skip, timeout: 150_000 }, async () => {
  assert.ok(kafka && config);
  const events = [...createSimulation(SCENARIOS.tiny, 7).events()].slice(0, 3_000);
  await produce(kafka, config, events);

  await waitUntil(
    async () => (await query('instance:brushwatch_events_consumed:rate5m{job="brushwatch"} > 0')).length === 1 && (await activeAlerts('BrushwatchNoEventsProcessed')).length === 0,
    45_000,
    'events consumed per the recording rule, and BrushwatchNoEventsProcessed not active',
  );
  const consumed = await query('sum(brushwatch_events_consumed_total{job="brushwatch"})');
  assert.ok(Number(consumed[0]?.value[1]) > 0);

  // Input stopped: nothing more is produced.
  let firing: ActiveAlert | undefined;
  await waitUntil(
    async () => {
      firing = (await activeAlerts('BrushwatchNoEventsProcessed')).find((a) => a.state === 'firing');
      return firing !== undefined;
    },
    60_000,
    'BrushwatchNoEventsProcessed firing after the input stopped',
  );
  assert.equal(firing?.labels.instance, target);
  assert.equal(firing?.labels.job, 'brushwatch');
  assert.equal(firing?.labels.severity, 'critical');
  assert.equal(firing?.annotations.runbook_url, 'docs/runbook.md#brushwatchnoeventsprocessed');
  assert.equal((await activeAlerts('BrushwatchInstanceDown')).length, 0, 'the instance is up: no InstanceDown');
});
