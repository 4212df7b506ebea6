/**
 * `brushwatch shopee`: the Shopee Code League 2020 order-brushing task on real marketplace data.
 * Orders are grouped by shop and scanned with the engine's exact any-hour rule
 * (src/engine/any-hour-window.ts); the output is the contest's submission format.
 */
import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { BrushwatchError } from '../../errors.js';
import { SHOPEE_RULE, scanShop, type TimedOrder } from '../../engine/any-hour-window.js';

const TIME_RE = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

export interface ShopeeParse {
  readonly byShop: Map<string, TimedOrder[]>;
  readonly orders: number;
  /** Lines that could not be read, with their 1-based line number and why. */
  readonly rejected: { line: number; reason: string }[];
}

/**
 * Parses `orderid,shopid,userid,event_time`. The time has no zone; it is read as UTC, which is
 * as good as any fixed zone because only differences matter. Bad lines are reported, not fatal.
 */
export function parseShopeeOrders(csv: string): ShopeeParse {
  const byShop = new Map<string, TimedOrder[]>();
  const rejected: { line: number; reason: string }[] = [];
  const lines = csv.split('\n');
  let orders = 0;
  const header = (lines[0] ?? '').trim().replace(/^\uFEFF/, '');
  if (header !== 'orderid,shopid,userid,event_time') {
    throw new BrushwatchError(
      'INPUT_UNREADABLE',
      `orders CSV header is "${header.slice(0, 80)}"; it must be "orderid,shopid,userid,event_time" (the contest's order_brush_order.csv format)`,
    );
  }
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const parts = line.split(',');
    if (parts.length !== 4) {
      rejected.push({ line: i + 1, reason: `expected 4 fields, got ${parts.length}` });
      continue;
    }
    const shop = parts[1]!.trim();
    const user = parts[2]!.trim();
    const m = TIME_RE.exec(parts[3]!.trim());
    if (shop === '' || user === '' || m === null) {
      rejected.push({ line: i + 1, reason: m === null ? `event_time "${parts[3]}" is not YYYY-MM-DD HH:MM:SS` : 'empty shopid or userid' });
      continue;
    }
    const time = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) / 1000;
    let list = byShop.get(shop);
    if (list === undefined) byShop.set(shop, (list = []));
    list.push({ time, buyer: user });
    orders++;
  }
  return { byShop, orders, rejected };
}

/** One value per shop of `shopIds`: `0`, or the suspicious buyers joined by `&`, smallest first. */
export function shopeeAnswers(byShop: ReadonlyMap<string, readonly TimedOrder[]>, shopIds: readonly string[]): string[] {
  return shopIds.map((shop) => {
    const orders = byShop.get(shop);
    if (orders === undefined) return '0';
    const scan = scanShop(orders, SHOPEE_RULE);
    return scan.brushing ? scan.suspiciousBuyers.join('&') : '0';
  });
}

export function parseShopIds(csv: string): string[] {
  const lines = csv.split('\n').map((l) => l.trim().replace(/^\uFEFF/, ''));
  if (lines[0] !== 'shopid') {
    throw new BrushwatchError('INPUT_UNREADABLE', `shops CSV header is "${(lines[0] ?? '').slice(0, 80)}"; it must be "shopid" (one shop id per line)`);
  }
  return lines.slice(1).filter((l) => l !== '');
}

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (cause) {
    throw new BrushwatchError('INPUT_UNREADABLE', `cannot read ${what} "${path}"; check the path`, { cause });
  }
}

export function register(program: Command): void {
  program
    .command('shopee')
    .description('Shopee Code League 2020 order brushing: write the submission (one row per shop) for a contest orders CSV')
    .requiredOption('--input <csv>', 'orders CSV: orderid,shopid,userid,event_time')
    .requiredOption('--shops <csv>', 'every shop to answer for: header shopid, one id per line')
    .requiredOption('--output <csv>', 'submission CSV to write: shopid,userid')
    .action(async (opts: { input: string; shops: string; output: string }) => {
      const parsed = parseShopeeOrders(await readText(opts.input, 'orders CSV'));
      const shopIds = parseShopIds(await readText(opts.shops, 'shops CSV'));
      for (const r of parsed.rejected.slice(0, 20)) process.stderr.write(`${opts.input}:${r.line}: skipped: ${r.reason}\n`);
      const answers = shopeeAnswers(parsed.byShop, shopIds);
      let out = 'shopid,userid\n';
      let brushing = 0;
      for (let i = 0; i < shopIds.length; i++) {
        const a = answers[i]!;
        if (a !== '0') brushing++;
        out += `${shopIds[i]},${a}\n`;
      }
      const listed = new Set(shopIds);
      const unseen = [...parsed.byShop.keys()].filter((s) => !listed.has(s)).length;
      try {
        await writeFile(opts.output, out);
      } catch (cause) {
        throw new BrushwatchError('OUTPUT_UNWRITABLE', `cannot write submission "${opts.output}"; check the directory exists and is writable`, { cause });
      }
      process.stdout.write(
        `shopee: ${parsed.orders} orders of ${parsed.byShop.size} shops, ${parsed.rejected.length} lines skipped; ` +
          `${shopIds.length} rows written to ${opts.output}, ${brushing} brushing shops` +
          (unseen > 0 ? `; ${unseen} shops of the orders are not in --shops and have no row` : '') +
          '\n',
      );
    });
}
