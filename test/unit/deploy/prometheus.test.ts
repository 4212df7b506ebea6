/**
 * The Prometheus rules and config: promtool validates them and runs the rule unit tests, and
 * every alert must have a firing and a quiet test case, a severity and a runbook section.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { githubAnchors } from './markdown.js';
import { CONFIG_FILE_ENV, SETTINGS } from '../../../src/config.js';

const root = join(import.meta.dirname, '..', '..', '..');
const promDir = join(root, 'deploy', 'prometheus');
const rulesDir = join(promDir, 'rules');
const hasPromtool = spawnSync('promtool', ['--version'], { encoding: 'utf8' }).status === 0;
// CI installs promtool (.ci/run), so there a missing promtool fails instead of skipping.
const skip = hasPromtool || process.env.CI === 'true' ? false : 'promtool not found: install Debian package prometheus (CI does)';

interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface RuleTest {
  alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[];
}

function promtool(...args: string[]): string {
  const r = spawnSync('promtool', args, { cwd: promDir, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, `promtool ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

function alertRules(): AlertRule[] {
  const doc = parse(readFileSync(join(rulesDir, 'alerts.yml'), 'utf8')) as { groups: { rules: AlertRule[] }[] };
  return doc.groups.flatMap((g) => g.rules);
}

test('promtool check rules accepts the recording and alerting rules', { skip }, () => {
  const out = promtool('check', 'rules', 'rules/recording.yml', 'rules/alerts.yml');
  assert.match(out, /SUCCESS: 9 rules found/);
});

test('promtool check config accepts prometheus.yml and finds both rule files', { skip }, () => {
  assert.match(promtool('check', 'config', 'prometheus.yml'), /SUCCESS: 2 rule files found/);
});

test('promtool test rules passes every rule unit test', { skip }, () => {
  promtool('test', 'rules', 'rules/alerts_test.yml');
});

test('the issue names these alerts, and each exists', () => {
  const names = alertRules().map((r) => r.alert);
  for (const want of [
    'BrushwatchConsumerLagHigh',
    'BrushwatchNoEventsProcessed',
    'BrushwatchDeadLetterRateHigh',
    'BrushwatchAlertPublishFailing',
    'BrushwatchWatermarkStalled',
    'BrushwatchRestoreSlow',
    'BrushwatchAlertRateAnomalous',
    'BrushwatchInstanceDown',
    'BrushwatchNotReady',
  ]) {
    assert.ok(names.includes(want), `alerts.yml lacks ${want}`);
  }
});

test('every alert has a severity, a summary, a description and a runbook anchor that exists', () => {
  const anchors = githubAnchors(readFileSync(join(root, 'docs', 'runbook.md'), 'utf8'));
  for (const rule of alertRules()) {
    assert.ok(['critical', 'warning'].includes(rule.labels?.severity ?? ''), `${rule.alert}: severity must be critical or warning`);
    assert.ok((rule.annotations?.summary ?? '').length > 10, `${rule.alert}: summary missing`);
    assert.ok((rule.annotations?.description ?? '').length > 20, `${rule.alert}: description missing`);
    const url = rule.annotations?.runbook_url ?? '';
    const m = /^docs\/runbook\.md#([a-z0-9-]+)$/.exec(url);
    assert.ok(m, `${rule.alert}: runbook_url ${JSON.stringify(url)} must be docs/runbook.md#<anchor>`);
    assert.ok(anchors.has(m[1] ?? ''), `${rule.alert}: docs/runbook.md has no heading for #${m[1]}`);
  }
});

test('every alert has a firing and a non-firing case in alerts_test.yml', () => {
  const doc = parse(readFileSync(join(rulesDir, 'alerts_test.yml'), 'utf8')) as { tests: RuleTest[] };
  const cases = doc.tests.flatMap((t) => t.alert_rule_test ?? []);
  for (const { alert } of alertRules()) {
    const mine = cases.filter((c) => c.alertname === alert);
    assert.ok(mine.some((c) => (c.exp_alerts ?? []).length > 0), `${alert}: no case where it fires`);
    assert.ok(mine.some((c) => (c.exp_alerts ?? []).length === 0), `${alert}: no case where it stays quiet`);
  }
});

test('each runbook section says what the alert means, how to check and how to fix', () => {
  const runbook = readFileSync(join(root, 'docs', 'runbook.md'), 'utf8');
  for (const { alert } of alertRules()) {
    const start = runbook.indexOf(`\n## ${alert}\n`);
    assert.ok(start >= 0, `docs/runbook.md has no "## ${alert}" section`);
    const next = runbook.indexOf('\n## ', start + 1);
    const body = runbook.slice(start, next < 0 ? undefined : next);
    for (const part of ['**Means.**', '**Check.**', '**Fix.**']) assert.ok(body.includes(part), `${alert}: runbook section lacks ${part}`);
  }
});

test('every BRUSHWATCH_ variable the runbook and operations guide name is a real setting', () => {
  const known = [...SETTINGS.map((s) => s.env), CONFIG_FILE_ENV];
  for (const doc of ['runbook.md', 'operations.md']) {
    const text = readFileSync(join(root, 'docs', doc), 'utf8');
    const names = [...text.matchAll(/BRUSHWATCH_[A-Z_]+/g)].map((m) => m[0]);
    assert.ok(names.length > 3, doc);
    for (const n of names) {
      // `BRUSHWATCH_TOPICS_*` style families end in an underscore: a prefix of real settings.
      const ok = n.endsWith('_') ? known.some((k) => k.startsWith(n)) : known.includes(n);
      assert.ok(ok, `docs/${doc} names ${n}, which src/config.ts does not define`);
    }
  }
});
