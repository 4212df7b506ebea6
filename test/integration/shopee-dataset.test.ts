/**
 * Runs `brushwatch shopee` on the real contest data when ../shared/datasets is present. The data
 * has no clear license: it is read in place and never copied into the repository.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dataDir = resolve(repoRoot, '..', 'shared', 'datasets', 'shopee-order-brushing');
const present = existsSync(join(dataDir, 'order_brush_order.candidate-shops.csv')) && existsSync(join(dataDir, 'shopids.csv'));

test(
  'shopee: a submission for all 18,770 contest shops',
  { skip: present ? false : `Shopee data not found at ${dataDir}; place the dataset there to run this test` },
  async () => {
    const dir = await mkdtemp(join(tmpdir(), 'shopee-data-'));
    try {
      const out = join(dir, 'submission.csv');
      const { stdout } = await run(
        process.execPath,
        ['--import', 'tsx', join(repoRoot, 'src/cli/main.ts'), 'shopee', '--input', join(dataDir, 'order_brush_order.candidate-shops.csv'), '--shops', join(dataDir, 'shopids.csv'), '--output', out],
        { cwd: repoRoot, timeout: 120_000 },
      );
      const lines = (await readFile(out, 'utf8')).trimEnd().split('\n');
      assert.equal(lines[0], 'shopid,userid');
      assert.equal(lines.length, 18_771);
      const rows = lines.slice(1).map((l) => l.split(','));
      assert.ok(rows.every((r) => r.length === 2 && /^\d+$/.test(r[0]!) && /^(0|\d+(&\d+)*)$/.test(r[1]!)));
      const brushing = rows.filter((r) => r[1] !== '0');
      // Every `&` list is ascending by numeric value, as the contest matched cells as whole labels.
      for (const [, ids] of brushing) {
        const nums = ids!.split('&').map(BigInt);
        for (let i = 1; i < nums.length; i++) assert.ok(nums[i - 1]! < nums[i]!, `unsorted ${ids}`);
      }
      assert.ok(brushing.length > 0 && brushing.length <= 489, `brushing shops: ${brushing.length}`);
      console.log(`shopee: ${brushing.length} brushing shops of ${rows.length}; ${stdout.trim()}`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
);
