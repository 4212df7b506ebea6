/**
 * `brushwatch report` end to end on files: bad lines are skipped and named in the page, the
 * per-seller cap is applied and reported, a missing input is a coded error (exit 2), not a crash.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeAlerts, makeEvents } from './fixtures.js';

const root = join(import.meta.dirname, '..', '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'brushwatch-report-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function report(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src', 'cli', 'main.ts'), 'report', ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    cwd: root,
  });
}

test('bad lines are skipped and listed; the cap per seller is applied and reported', () => {
  const alerts = join(dir, 'alerts.ndjson');
  const events = join(dir, 'events.ndjson');
  const out = join(dir, 'report.html');
  writeFileSync(alerts, [...makeAlerts().map((a) => JSON.stringify(a)), '{not json', JSON.stringify({ alertId: 'x' })].join('\n') + '\n');
  writeFileSync(events, [...makeEvents().map((e) => JSON.stringify(e)), JSON.stringify({ kind: 'order', eventId: 'e-bad' })].join('\n') + '\n');
  const r = report('--alerts', alerts, '--events', events, '--out', out, '--max-events-per-seller', '50', '--title', 'Case 42');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^report: 3 alerts, 2 sellers, 62 events drawn, 3 bad lines skipped -> .*report\.html \(\d+ KiB\)\n$/);
  const html = readFileSync(out, 'utf8');
  assert.match(html, /<title>Case 42<\/title>/);
  assert.match(html, /2 alert line\(s\) of alerts\.ndjson skipped \(line 4: not valid JSON .*\{not json; line 5: schemaVersion: /);
  assert.match(html, /1 event line\(s\) of events\.ndjson skipped \(line 132: MISSING_FIELD: orderId is required/);
  assert.match(html, /50 events of this seller drawn; 59 more left out by the per-seller cap/);
  assert.ok(!existsSync(`${out}.tmp-${r.pid}`), 'no temporary file left');
});

test('a missing input or a bad option is a coded error with exit code 2', () => {
  const missing = report('--alerts', join(dir, 'nope.ndjson'), '--out', join(dir, 'x.html'));
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /BRUSH_INPUT_UNREADABLE: cannot read input .*nope\.ndjson/);
  const badCap = report('--alerts', join(dir, 'nope.ndjson'), '--out', join(dir, 'x.html'), '--max-events-per-seller', '0');
  assert.equal(badCap.status, 2);
  assert.match(badCap.stderr, /BRUSH_USAGE: --max-events-per-seller must be a positive integer, got "0"/);
  const unwritable = join(dir, 'no-such-dir', 'r.html');
  writeFileSync(join(dir, 'empty.ndjson'), '');
  const r = report('--alerts', join(dir, 'empty.ndjson'), '--out', unwritable);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /BRUSH_OUTPUT_UNWRITABLE: cannot write report/);
});
