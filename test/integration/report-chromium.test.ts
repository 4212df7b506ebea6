/**
 * The audit report as a person sees it: `brushwatch report` renders hand-made alerts and events,
 * Debian's headless Chromium opens the file, and the test checks the DOM it built and the
 * screenshot it took.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { makeAlerts, makeEvents } from '../unit/report/fixtures.js';

const root = join(import.meta.dirname, '..', '..');
const CHROMIUM = '/usr/bin/chromium';
// CI installs chromium (.ci/run), so there a missing browser fails instead of skipping.
const skip = existsSync(CHROMIUM) || process.env.CI === 'true' ? false : `${CHROMIUM} not found: install Debian package chromium (CI does)`;
let dir = '';
let reportUrl = '';

/** Runs chromium in its own process group, so the whole tree is killed on timeout or failure. */
function chromium(args: string[], timeoutMs = 90_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(
    CHROMIUM,
    [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', `--user-data-dir=${join(dir, 'profile')}`, ...args,
    ],
    { detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const killTree = () => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      killTree();
      reject(new Error(`chromium timed out after ${timeoutMs} ms: ${stderr.slice(-500)}`));
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      killTree();
      resolve({ code, stdout, stderr });
    });
  });
}

before(() => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'brushwatch-report-'));
  writeFileSync(join(dir, 'alerts.ndjson'), makeAlerts().map((a) => JSON.stringify(a)).join('\n') + '\n');
  writeFileSync(join(dir, 'events.ndjson'), makeEvents().map((e) => JSON.stringify(e)).join('\n') + '\n');
  const out = join(dir, 'report.html');
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(root, 'src', 'cli', 'main.ts'), 'report', '--alerts', join(dir, 'alerts.ndjson'), '--events', join(dir, 'events.ndjson'), '--out', out],
    { encoding: 'utf8', timeout: 60_000, cwd: root },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /report: 3 alerts, 2 sellers, 121 events drawn -> /);
  reportUrl = pathToFileURL(out).href;
});

after(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

test('chromium renders the report: summary, a section per alerted seller, signal names', { skip, timeout: 120_000 }, async () => {
  const { code, stdout, stderr } = await chromium(['--dump-dom', reportUrl]);
  assert.equal(code, 0, stderr.slice(-1000));
  assert.match(stdout, /<h2>Summary<\/h2>/);
  const sections = [...stdout.matchAll(/<section class="seller" id="(seller-\d+)">/g)].map((m) => m[1]);
  assert.deepEqual(sections, ['seller-1', 'seller-2']);
  assert.match(stdout, /Seller <code>s-hostile<\/code>/);
  assert.match(stdout, /Seller <code>s-ring-1<\/code>/);
  for (const signal of ['repeat_buyers', 'shared_devices']) assert.ok(stdout.includes(`<code>${signal}</code>`), signal);
  assert.equal((stdout.match(/<svg class="timeline"/g) ?? []).length, 2);
  // The hostile text stayed text: the browser built no script element from it.
  assert.doesNotMatch(stdout, /<script/i);
  assert.match(stdout, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
});

test('chromium takes a non-trivial screenshot of it', { skip, timeout: 120_000 }, async () => {
  const png = join(dir, 'report.png');
  const { code, stderr } = await chromium([`--screenshot=${png}`, '--window-size=1280,2000', '--hide-scrollbars', reportUrl]);
  assert.equal(code, 0, stderr.slice(-1000));
  const bytes = readFileSync(png);
  assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  assert.equal(bytes.readUInt32BE(16), 1280, 'width');
  assert.equal(bytes.readUInt32BE(20), 2000, 'height');
  // A blank 1280x2000 page compresses to a few KB; text, tables and plots do not.
  assert.ok(statSync(png).size > 50_000, `screenshot only ${statSync(png).size} bytes`);
});
