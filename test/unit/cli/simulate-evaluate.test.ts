import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
const cli = (args: string[]) => run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { timeout: 60_000 });

test('simulate writes events.ndjson and truth.json with a summary line; evaluate scores alerts against it', { timeout: 120_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sim-cli-'));
  try {
    const { stdout } = await cli(['simulate', '--scenario', 'tiny', '--seed', '11', '--out', dir]);
    assert.match(stdout, /^simulate: scenario tiny seed 11: \d+ events \(\d+ duplicates\) over 8 days, \d+ sellers, \d+ buyers, 10 campaigns, 6 hard negatives/);
    const lines = (await readFile(join(dir, 'events.ndjson'), 'utf8')).trimEnd().split('\n');
    const truth = JSON.parse(await readFile(join(dir, 'truth.json'), 'utf8'));
    assert.equal(lines.length, truth.scenario.events);
    assert.equal(JSON.parse(lines[0]!).kind, 'order');

    // Alerts that flag exactly the first campaign's seller and one hard negative.
    const c = truth.campaigns[0];
    const hn = truth.hardNegatives[0];
    const alert = (sellerId: string, buyerIds: string[]) => JSON.stringify({ sellerId, action: 'OPEN', detectedAt: c.start + 3_600_000, evidence: { buyerIds } });
    await writeFile(join(dir, 'alerts.ndjson'), [alert(c.sellerIds[0], [c.fakeBuyerIds[0]]), alert(hn.sellerId, ['b-nobody']), '{broken'].join('\n') + '\n');
    const { stdout: json } = await cli(['evaluate', '--truth', join(dir, 'truth.json'), '--alerts', join(dir, 'alerts.ndjson'), '--json']);
    const e = JSON.parse(json);
    assert.equal(e.sellers.flagged, 2);
    assert.equal(e.sellers.truePositives, 1);
    assert.equal(e.hardNegativeFalsePositives, 1);
    assert.equal(e.hardNegatives[hn.kind].flagged, 1);
    assert.equal(e.delay.medianMs, 3_600_000);
    assert.deepEqual([e.buyers.named, e.buyers.correct], [2, 1]);
    const { stdout: table } = await cli(['evaluate', '--truth', join(dir, 'truth.json'), '--alerts', join(dir, 'alerts.ndjson')]);
    assert.match(table, /seller precision\s+50\.0%\s+\(1\/2 flagged\)/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('bad arguments are refused with a message naming the value and the fix', async () => {
  await assert.rejects(cli(['simulate', '--scenario', 'huge', '--out', tmpdir()]), (err: { stderr: string }) => /--scenario huge is unknown; use one of tiny, demo, small, medium, large/.test(err.stderr));
  await assert.rejects(cli(['simulate', '--seed', '-3', '--out', tmpdir()]), (err: { stderr: string }) => /--seed -3 is not an integer/.test(err.stderr));
});
