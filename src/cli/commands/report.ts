/**
 * `brushwatch report --alerts ALERTS.ndjson [--events EVENTS.ndjson] --out report.html`: renders
 * alerts (the replay command's output, or the alerts topic dumped as JSON) into one self-contained
 * HTML page for auditors. Events are streamed and only those of alerted sellers near their alert
 * windows are kept, with a cap per seller. Bad lines are counted and named in the report, not fatal.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { BrushwatchError } from '../../errors.js';
import { validateEvent } from '../../engine/validate.js';
import type { Alert } from '../../engine/types.js';
import { readNdjson } from '../../io/file/ndjson-reader.js';
import { parseAlert } from '../../report/alert-input.js';
import { DEFAULT_COLLECT_OPTIONS, EventCollector } from '../../report/collect.js';
import type { Collected } from '../../report/collect.js';
import { renderReport } from '../../report/render.js';

interface ReportOptions {
  alerts: string;
  events?: string;
  out: string;
  title?: string;
  maxEventsPerSeller: number;
  contextHours: number;
  maxSellers: number;
}

/** Skipped lines of one file: a count and the first few, for the report's notes. */
class Skips {
  count = 0;
  readonly first: string[] = [];
  constructor(private readonly file: string) {}
  add(line: number, detail: string): void {
    this.count++;
    if (this.first.length < 3) this.first.push(`line ${line}: ${detail}`);
  }
  note(what: string): string[] {
    return this.count === 0 ? [] : [`${this.count} ${what} line(s) of ${basename(this.file)} skipped (${this.first.join('; ')})`];
  }
}

async function readAlerts(path: string): Promise<{ alerts: Alert[]; skips: Skips }> {
  const alerts: Alert[] = [];
  const skips = new Skips(path);
  for await (const batch of readNdjson(path)) {
    for (const bad of batch.bad) skips.add(bad.line, bad.detail);
    batch.values.forEach((raw, i) => {
      const r = parseAlert(raw);
      if (r.ok) alerts.push(r.alert);
      else skips.add(batch.lines[i] ?? 0, r.detail);
    });
  }
  return { alerts, skips };
}

async function readEvents(path: string, alerts: readonly Alert[], opts: ReportOptions): Promise<{ collected: Collected; skips: Skips }> {
  const collector = new EventCollector(alerts, {
    maxEventsPerSeller: opts.maxEventsPerSeller,
    marginMs: opts.contextHours * 3_600_000,
  });
  const skips = new Skips(path);
  for await (const batch of readNdjson(path)) {
    for (const bad of batch.bad) skips.add(bad.line, bad.detail);
    batch.values.forEach((raw, i) => {
      const v = validateEvent(raw);
      if (v.ok) collector.add(v.event);
      else skips.add(batch.lines[i] ?? 0, `${v.reason}: ${v.detail}`);
    });
  }
  return { collected: collector.result(), skips };
}

function positiveInt(name: string): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new BrushwatchError('USAGE', `--${name} must be a positive integer, got ${JSON.stringify(v)}`);
    return n;
  };
}

async function report(opts: ReportOptions): Promise<void> {
  const { alerts, skips: alertSkips } = await readAlerts(opts.alerts);
  const events = opts.events === undefined ? undefined : await readEvents(opts.events, alerts, opts);
  const html = renderReport({
    alerts,
    eventsBySeller: events?.collected.eventsBySeller,
    droppedBySeller: events?.collected.droppedBySeller,
    title: opts.title,
    sources: [basename(opts.alerts), ...(opts.events === undefined ? [] : [basename(opts.events)])],
    notes: [...alertSkips.note('alert'), ...(events?.skips.note('event') ?? [])],
    maxSellerSections: opts.maxSellers,
  });
  // Write then rename, so a reader never sees half a report.
  const tmp = `${opts.out}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, html);
    renameSync(tmp, opts.out);
  } catch (err) {
    throw new BrushwatchError('OUTPUT_UNWRITABLE', `cannot write report ${opts.out}: ${(err as Error).message}`, { cause: err });
  }
  const sellers = new Set(alerts.map((a) => a.sellerId)).size;
  const drawn = events === undefined ? '' : `, ${events.collected.kept} events drawn`;
  const skipped = alertSkips.count + (events?.skips.count ?? 0);
  process.stdout.write(
    `report: ${alerts.length} alerts, ${sellers} sellers${drawn}${skipped > 0 ? `, ${skipped} bad lines skipped` : ''} -> ${opts.out} (${Math.ceil(Buffer.byteLength(html) / 1024)} KiB)\n`,
  );
}

export function register(program: Command): void {
  program
    .command('report')
    .description('Render alerts (and the events behind them) as one self-contained HTML page for auditors')
    .requiredOption('--alerts <file>', 'alerts as NDJSON, one Alert per line (replay output)')
    .option('--events <file>', 'events as NDJSON (the replay input) to draw the timelines')
    .requiredOption('--out <file>', 'HTML file to write')
    .option('--title <text>', 'page title')
    .option('--max-events-per-seller <n>', 'events kept per alerted seller', positiveInt('max-events-per-seller'), DEFAULT_COLLECT_OPTIONS.maxEventsPerSeller)
    .option('--max-sellers <n>', 'seller sections drawn, most severe first (the summary lists all)', positiveInt('max-sellers'), 500)
    .option('--context-hours <n>', 'hours of events kept before and after a seller\'s alert windows', positiveInt('context-hours'), DEFAULT_COLLECT_OPTIONS.marginMs / 3_600_000)
    .action(async (opts: ReportOptions) => report(opts));
}
