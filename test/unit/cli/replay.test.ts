import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateStream, toNdjson } from '../../helpers/fixtures.js';

const dir = await mkdtemp(join(tmpdir(), 'brushwatch-cli-replay-'));
after(() => rm(dir, { recursive: true, force: true }));

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

test('replay writes alerts, a rejects file and a summary, and exits 0 despite bad lines', async () => {
  const events = generateStream({ seed: 11, honest: 10, brushers: 2, hours: 48, ordersPerHour: 2, jitterMs: 60_000 });
  const input = join(dir, 'events.ndjson');
  const output = join(dir, 'alerts.ndjson');
  const rejects = join(dir, 'rejects.ndjson');
  await writeFile(input, `not json\n${toNdjson(events)}{"kind":"review","rating":9}\n`);
  const r = await cli(['replay', '--input', input, '--output', output, '--rejects', rejects]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /BAD_JSON\s+1 \(first lines: 1\)/);
  assert.match(r.stdout, new RegExp(`${events.length} accepted`));
  assert.match(r.stdout, /events\/s/);
  assert.match(r.stdout, /by severity/);
  const alerts = (await readFile(output, 'utf8')).trim().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { sellerId: string });
  assert.ok(alerts.some((a) => a.sellerId.startsWith('brush-')), 'the registered signals catch the brushers');
  assert.equal((await readFile(rejects, 'utf8')).trim().split('\n').length, 2);
});

test('a bad config file is a coded error with exit 2', async () => {
  const config = join(dir, 'bad.json');
  await writeFile(config, JSON.stringify({ bucketMs: -1 }));
  const r = await cli(['replay', '--input', join(dir, 'x'), '--output', join(dir, 'y'), '--config', config]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /BRUSH_CONFIG_INVALID/);
  assert.match(r.stderr, /bucketMs/);
});
