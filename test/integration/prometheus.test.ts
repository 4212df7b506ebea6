/**
 * A real Prometheus server against a real `brushwatch run` on the real broker: Prometheus scrapes
 * the service with the project's scrape config and rules, the "no events processed" alert fires
 * once the input stops, and "instance down" once the process is killed. The rules are the real ones with every range and `for:` shortened
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
import { metricNames } from '../unit/deploy/promql.js';
import { ServiceProcess, freePort, stopAllServices } from './helpers/process.js';
import { waitUntil, withTimeout } from './helpers/timeout.js';
import { client, configEnv, createTopics, deleteTopics, produce, testConfig } from './service-support.js';

const root = join(import.meta.dirname, '..', '..');
const promDir = join(root, 'deploy', 'prometheus');
const hasPrometheus = spawnSync('prometheus', ['--version']).status === 0;
const hasBroker = (process.env.KAFKA_BROKERS ?? '').trim() !== '';
// CI installs prometheus and starts a broker, so there nothing is skipped: a missing part fails.
function skipReason(): string | false {
  if (process.env.CI === 'true') return false;
  if (!hasPrometheus) return 'prometheus not found: install Debian package prometheus (CI does)';
  if (!hasBroker) return 'KAFKA_BROKERS unset: run through `npm test` (it starts scripts/kafka-local.sh) or set it';
  return false;
}
const skip = skipReason();

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

/** Adds the service's and Prometheus's recent output to a failure, for diagnosis. */
async function explained<T>(what: Promise<T>): Promise<T> {
  try {
    return await what;
  } catch (err) {
    const running = service?.isRunning() === true ? 'running' : 'EXITED';
    throw new Error(`${(err as Error).message}\n--- brushwatch run (${running}):\n${service?.output().slice(-3000) ?? ''}\n--- prometheus:\n${prometheusLog.slice(-1500)}`, { cause: err });
  }
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
  await explained(waitUntil(async () => (await query('up{job="brushwatch"} == 1')).length === 1, 30_000, `up == 1 for ${target}`));
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
  // The consumed counter has labels, so its series only appears with the first events; rate()
  // cannot see an increase in a series' first sample. A first small batch makes the series exist
  // (and be scraped) before the bulk arrives.
  await produce(kafka, config, events.slice(0, 100));
  await explained(waitUntil(async () => (await query('brushwatch_events_consumed_total{job="brushwatch"}')).length > 0, 30_000, 'first events scraped'));
  await produce(kafka, config, events.slice(100));

  let seen = '';
  await explained(
    waitUntil(
      async () => {
        const rate = await query('instance:brushwatch_events_consumed:rate5m{job="brushwatch"}');
        const active = await activeAlerts('BrushwatchNoEventsProcessed');
        const total = await query('sum(brushwatch_events_consumed_total{job="brushwatch"})');
        seen = `rate ${rate[0]?.value[1] ?? 'none'}, consumed ${total[0]?.value[1] ?? 'none'}, alert ${active[0]?.state ?? 'inactive'}`;
        return Number(rate[0]?.value[1] ?? 0) > 0 && active.length === 0;
      },
      45_000,
      'events consumed per the recording rule, and BrushwatchNoEventsProcessed not active',
    ).catch((err: unknown) => {
      throw new Error(`${(err as Error).message} (last seen: ${seen})`);
    }),
  );
  const consumed = await query('sum(brushwatch_events_consumed_total{job="brushwatch"})');
  assert.ok(Number(consumed[0]?.value[1]) > 0);
  // The recording rules group by the labels the live metrics really carry.
  for (const recorded of ['topic:brushwatch_consumer_lag_messages:sum', 'instance:brushwatch_batch_duration_seconds:p99_5m']) {
    await explained(waitUntil(async () => (await query(`${recorded}{job="brushwatch"}`)).length > 0, 20_000, `recording rule ${recorded} has a value`));
  }
  const lagTopics = (await query('topic:brushwatch_consumer_lag_messages:sum{job="brushwatch"}')).map((r) => r.metric.topic).sort();
  assert.deepEqual(lagTopics, [config.topics.orders, config.topics.reviews].sort());

  // Input stopped: nothing more is produced.
  let firing: ActiveAlert | undefined;
  await explained(
    waitUntil(
      async () => {
        firing = (await activeAlerts('BrushwatchNoEventsProcessed')).find((a) => a.state === 'firing');
        return firing !== undefined;
      },
      60_000,
      'BrushwatchNoEventsProcessed firing after the input stopped',
    ),
  );
  assert.equal(firing?.labels.instance, target);
  assert.equal(firing?.labels.job, 'brushwatch');
  assert.equal(firing?.labels.severity, 'critical');
  assert.equal(firing?.annotations.runbook_url, 'docs/runbook.md#brushwatchnoeventsprocessed');
  assert.equal((await activeAlerts('BrushwatchInstanceDown')).length, 0, 'the instance is up: no InstanceDown');
});

test('the live /metrics has every documented metric with its type, and every metric the rules and dashboard use', { skip, timeout: 30_000 }, async () => {
  const text = await explained(fetch(`http://${target}/metrics`, { signal: AbortSignal.timeout(5_000) }).then((r) => r.text()));
  const types = new Map([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1] ?? '', m[2] ?? '']));
  const documented = [...readFileSync(join(root, 'docs', 'metrics.md'), 'utf8').matchAll(/^\|\s*(brushwatch_\w+)\s*\|\s*(\w+)\s*\|/gm)];
  assert.ok(documented.length >= 15);
  for (const [, name = '', type] of documented) assert.equal(types.get(name), type, `${name} in docs/metrics.md is a ${type}; /metrics says ${types.get(name) ?? 'absent'}`);

  const recorded = new Set<string>();
  const used = new Set<string>();
  for (const f of ['recording.yml', 'alerts.yml']) {
    const doc = parse(readFileSync(join(promDir, 'rules', f), 'utf8')) as { groups: { rules: { record?: string; expr: string }[] }[] };
    for (const r of doc.groups.flatMap((g) => g.rules)) {
      if (r.record !== undefined) recorded.add(r.record);
      for (const n of metricNames(r.expr)) used.add(n);
    }
  }
  const dashboard = JSON.parse(readFileSync(join(root, 'deploy', 'grafana', 'dashboards', 'brushwatch-overview.json'), 'utf8')) as { panels: { targets?: { expr: string }[] }[] };
  for (const p of dashboard.panels) for (const t of p.targets ?? []) for (const n of metricNames(t.expr)) used.add(n);
  for (const n of used) {
    if (recorded.has(n) || n === 'up' || n === 'ALERTS') continue;
    const family = n.replace(/_(bucket|sum|count)$/, '');
    assert.ok(types.has(n) || types.get(family) === 'histogram', `rules or dashboard use ${n}, which /metrics does not export`);
  }

  // promtool's lint on the project's own families (prom-client's nodejs_*_total gauges fail it).
  const own = text.split('\n').filter((l) => /^(# (HELP|TYPE) )?brushwatch_/.test(l)).join('\n') + '\n';
  const lint = spawnSync('promtool', ['check', 'metrics'], { input: own, encoding: 'utf8', timeout: 10_000 });
  assert.equal(lint.status, 0, `promtool check metrics:\n${lint.stdout}${lint.stderr}`);
});

test('a killed instance is seen as down: BrushwatchInstanceDown fires', { skip, timeout: 90_000 }, async () => {
  assert.ok(service);
  await service.kill();
  let firing: ActiveAlert | undefined;
  await explained(
    waitUntil(
      async () => {
        firing = (await activeAlerts('BrushwatchInstanceDown')).find((a) => a.state === 'firing');
        return firing !== undefined;
      },
      45_000,
      'BrushwatchInstanceDown firing after SIGKILL',
    ),
  );
  assert.equal(firing?.labels.instance, target);
  assert.equal(firing?.labels.severity, 'critical');
  assert.equal((await query('up{job="brushwatch"}'))[0]?.value[1], '0');
});
