/**
 * The provisioned Grafana dashboard: fixed uid, a datasource variable every query goes through,
 * the panels the issue asks for, and no metric name that the service does not export.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { metricNames } from './promql.js';

const root = join(import.meta.dirname, '..', '..', '..');
const grafana = join(root, 'deploy', 'grafana');

interface Target {
  expr: string;
  datasource?: { uid?: string };
}
interface Panel {
  type: string;
  title: string;
  datasource?: { uid?: string };
  targets?: Target[];
  panels?: Panel[];
}
interface Dashboard {
  uid: string;
  title: string;
  templating: { list: { name: string; type: string; query: unknown }[] };
  panels: Panel[];
}

const dashboard = JSON.parse(readFileSync(join(grafana, 'dashboards', 'brushwatch-overview.json'), 'utf8')) as Dashboard;
const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]).filter((p) => p.type !== 'row');

/** docs/metrics.md's table, with the series a histogram exports. */
function documentedMetrics(): Set<string> {
  const names = new Set<string>();
  for (const m of readFileSync(join(root, 'docs', 'metrics.md'), 'utf8').matchAll(/^\|\s*(brushwatch_\w+)\s*\|\s*(\w+)\s*\|/gm)) {
    const [, name = '', type] = m;
    names.add(name);
    if (type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(name + s);
  }
  return names;
}

async function nodeDefaultMetrics(): Promise<Set<string>> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const names = new Set<string>();
  for (const m of await registry.getMetricsAsJSON()) {
    names.add(m.name);
    if (String(m.type) === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(m.name + s);
  }
  return names;
}

function recordingRules(): Set<string> {
  const doc = parse(readFileSync(join(root, 'deploy', 'prometheus', 'rules', 'recording.yml'), 'utf8')) as {
    groups: { rules: { record: string }[] }[];
  };
  return new Set(doc.groups.flatMap((g) => g.rules.map((r) => r.record)));
}

test('the dashboard has a fixed uid and a Prometheus datasource variable', () => {
  assert.equal(dashboard.uid, 'brushwatch-overview');
  const ds = dashboard.templating.list.find((v) => v.name === 'datasource');
  assert.ok(ds, 'no variable named datasource');
  assert.equal(ds.type, 'datasource');
  assert.equal(ds.query, 'prometheus');
});

test('every panel and every query uses the datasource variable', () => {
  assert.ok(panels.length >= 10, `only ${panels.length} panels`);
  for (const p of panels) {
    assert.equal(p.datasource?.uid, '${datasource}', `panel ${p.title}`);
    assert.ok((p.targets ?? []).length > 0, `panel ${p.title} has no query`);
    for (const t of p.targets ?? []) assert.equal(t.datasource?.uid, '${datasource}', `a query of panel ${p.title}`);
  }
});

test('every query uses only documented metrics, Node default metrics, recording rules, or Prometheus\'s own up and ALERTS', async () => {
  const allowed = new Set([...documentedMetrics(), ...(await nodeDefaultMetrics()), ...recordingRules(), 'up', 'ALERTS']);
  assert.ok(allowed.has('brushwatch_batch_duration_seconds_bucket') && allowed.has('process_resident_memory_bytes'));
  for (const p of panels) {
    for (const t of p.targets ?? []) {
      const names = metricNames(t.expr);
      assert.ok(names.size > 0, `panel ${p.title}: no metric found in ${t.expr}`);
      for (const n of names) assert.ok(allowed.has(n), `panel ${p.title}: unknown metric ${n} in ${t.expr}`);
    }
  }
});

test('the panels cover what on-call needs', () => {
  const exprs = panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)).join('\n');
  for (const metric of [
    'brushwatch_events_consumed_total',
    'brushwatch_events_invalid_total',
    'brushwatch_dead_letters_total',
    'brushwatch_batch_duration_seconds_bucket',
    'brushwatch_consumer_lag_messages',
    'brushwatch_watermark_seconds',
    'brushwatch_event_time_lag_seconds',
    'brushwatch_alerts_total',
    'brushwatch_alert_signals_total',
    'brushwatch_sellers_tracked',
    'brushwatch_rebalances_total',
    'brushwatch_transactions_total',
  ]) {
    assert.ok(exprs.includes(metric), `no panel shows ${metric}`);
  }
});

test('the metric scanner finds names and skips functions, labels and variables', () => {
  assert.deepEqual(
    [...metricNames('histogram_quantile(0.99, sum by (le) (rate(a_bucket{job="x", le=~"1e3"}[$__rate_interval]))) / on (job) b:c:d * 1e3')],
    ['a_bucket', 'b:c:d'],
  );
  assert.deepEqual([...metricNames('time() - w_seconds offset 5m')], ['w_seconds']);
});

test('the provisioning files point Grafana at Prometheus and the dashboards folder', () => {
  const ds = parse(readFileSync(join(grafana, 'provisioning', 'datasources', 'prometheus.yml'), 'utf8')) as {
    datasources: { type: string; url: string }[];
  };
  assert.equal(ds.datasources[0]?.type, 'prometheus');
  const dash = parse(readFileSync(join(grafana, 'provisioning', 'dashboards', 'brushwatch.yml'), 'utf8')) as {
    providers: { type: string; options: { path: string } }[];
  };
  assert.equal(dash.providers[0]?.options.path, '/var/lib/grafana/dashboards');
});

test('panels have unique ids and a layout without overlaps inside the 24-column grid', () => {
  interface Grid { x: number; y: number; w: number; h: number }
  const all = dashboard.panels as (Panel & { id: number; gridPos: Grid })[];
  assert.equal(new Set(all.map((p) => p.id)).size, all.length, 'duplicate panel id');
  for (const [i, a] of all.entries()) {
    assert.ok(a.gridPos.x >= 0 && a.gridPos.x + a.gridPos.w <= 24, `panel ${a.title} leaves the grid`);
    for (const b of all.slice(i + 1)) {
      const overlap = a.gridPos.x < b.gridPos.x + b.gridPos.w && b.gridPos.x < a.gridPos.x + a.gridPos.w &&
        a.gridPos.y < b.gridPos.y + b.gridPos.h && b.gridPos.y < a.gridPos.y + a.gridPos.h;
      assert.ok(!overlap, `panels ${a.title} and ${b.title} overlap`);
    }
  }
});
