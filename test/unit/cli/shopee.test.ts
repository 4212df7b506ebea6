import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { parseShopeeOrders, shopeeAnswers } from '../../../src/cli/commands/shopee.js';

const run = promisify(execFile);

const ORDERS = [
  'orderid,shopid,userid,event_time',
  '1,10,500,2019-12-27 00:00:00',
  '2,10,500,2019-12-27 00:30:00',
  '3,10,500,2019-12-27 01:00:00',
  '4,20,7,2019-12-27 00:00:00',
  '5,20,8,2019-12-27 00:10:00',
  '6,20,7,2019-12-27 00:20:00',
  '7,30,900,2019-12-27 10:00:00',
  '8,30,900,2019-12-27 10:00:00',
  '9,30,900,2019-12-27 10:00:00',
  '10,30,88,2019-12-27 12:00:00',
  '11,30,88,2019-12-27 12:00:01',
  '12,30,88,2019-12-27 12:00:02',
  'garbage line',
].join('\n');

test('parses the contest CSV, reports bad lines, answers per shop in the order given', () => {
  const p = parseShopeeOrders(ORDERS);
  assert.equal(p.orders, 12);
  assert.deepEqual(p.rejected, [{ line: 14, reason: 'expected 4 fields, got 1' }]);
  // Shop 10: both ends included (00:00 and 01:00). Shop 20: rate 1.5. Shop 30: a tie, numeric order.
  assert.deepEqual(shopeeAnswers(p.byShop, ['10', '20', '30', '99']), ['500', '0', '88&900', '0']);
});

test('the command writes one row per listed shop under the contest header', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'shopee-'));
  try {
    await writeFile(join(dir, 'orders.csv'), ORDERS);
    await writeFile(join(dir, 'shops.csv'), 'shopid\n5\n10\n20\n30\n');
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'shopee', '--input', join(dir, 'orders.csv'), '--shops', join(dir, 'shops.csv'), '--output', join(dir, 'sub.csv')],
      { timeout: 30_000 },
    );
    assert.match(stdout, /4 rows written .* 2 brushing shops/);
    assert.equal(await readFile(join(dir, 'sub.csv'), 'utf8'), 'shopid,userid\n5,0\n10,500\n20,0\n30,88&900\n');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
