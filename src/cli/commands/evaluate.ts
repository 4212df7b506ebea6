/**
 * `brushwatch evaluate`: scores an alerts NDJSON file (from `replay`) against a simulation's
 * truth.json: seller precision/recall/F1, recall per typology, hard-negative false positives,
 * detection delay, buyer precision/recall.
 */
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { BrushwatchError } from '../../errors.js';
import { evaluate, formatEvaluation, type EvaluatedAlert, type Evaluation } from '../../sim/evaluate.js';
import { parseTruth, type Truth } from '../../sim/truth.js';

export async function readTruth(path: string): Promise<Truth> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new BrushwatchError('INPUT_UNREADABLE', `cannot read truth file "${path}"; check the path`, { cause });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (cause) {
    throw new BrushwatchError('INPUT_UNREADABLE', `truth file "${path}" is not JSON`, { cause });
  }
  return parseTruth(data, path);
}

function asAlert(x: unknown): EvaluatedAlert | null {
  if (typeof x !== 'object' || x === null) return null;
  const a = x as Record<string, unknown>;
  const ev = a['evidence'] as Record<string, unknown> | undefined;
  if (typeof a['sellerId'] !== 'string' || typeof a['action'] !== 'string' || typeof a['detectedAt'] !== 'number') return null;
  const buyerIds = Array.isArray(ev?.['buyerIds']) ? (ev['buyerIds'] as unknown[]).filter((b): b is string => typeof b === 'string') : [];
  return { sellerId: a['sellerId'], action: a['action'] as EvaluatedAlert['action'], detectedAt: a['detectedAt'], evidence: { buyerIds } };
}

/** Reads alerts NDJSON; lines that are not alerts are counted and reported, not fatal. */
export async function readAlerts(path: string, onBad: (line: number) => void): Promise<EvaluatedAlert[]> {
  const out: EvaluatedAlert[] = [];
  const input = createReadStream(path, 'utf8');
  const failed = new Promise<never>((_, reject) =>
    input.once('error', (cause) => reject(new BrushwatchError('INPUT_UNREADABLE', `cannot read alerts file "${path}"; check the path`, { cause }))),
  );
  failed.catch(() => undefined);
  const lines = createInterface({ input, crlfDelay: Infinity });
  let n = 0;
  const read = (async () => {
    for await (const line of lines) {
      n++;
      if (line.trim() === '') continue;
      let alert: EvaluatedAlert | null = null;
      try {
        alert = asAlert(JSON.parse(line));
      } catch {
        alert = null;
      }
      if (alert === null) onBad(n);
      else out.push(alert);
    }
  })();
  await Promise.race([read, failed]);
  return out;
}

export function register(program: Command): void {
  program
    .command('evaluate')
    .description('Score alerts (NDJSON from replay) against a simulation truth.json')
    .requiredOption('--truth <file>', 'truth.json written by `brushwatch simulate`')
    .requiredOption('--alerts <file>', 'alerts NDJSON written by `brushwatch replay`')
    .option('--json', 'print the evaluation as JSON')
    .action(async (opts: { truth: string; alerts: string; json?: boolean }) => {
      const truth = await readTruth(opts.truth);
      let bad = 0;
      const alerts = await readAlerts(opts.alerts, (line) => {
        if (bad++ < 10) process.stderr.write(`${opts.alerts}:${line}: not an alert, skipped\n`);
      });
      const result: Evaluation = evaluate(truth, alerts);
      if (opts.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
      else process.stdout.write(`${formatEvaluation(result)}\n`);
    });
}
