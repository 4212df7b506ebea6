/**
 * `brushwatch simulate`: writes a seeded marketplace (events.ndjson in emission order) and its
 * ground truth (truth.json) into a directory, streaming so even `large` fits in memory.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { join } from 'node:path';
import type { Command } from 'commander';
import { BrushwatchError } from '../../errors.js';
import { createSimulation } from '../../sim/simulator.js';
import { SCENARIOS, SCENARIO_NAMES, type ScenarioName } from '../../sim/scenarios.js';
import { addToKafkaOptions, simulateToKafka } from '../kafka-simulate.js';

export function parseSeed(raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) {
    throw new BrushwatchError('USAGE', `--seed ${raw} is not an integer in [0, 4294967295]; pass e.g. --seed 42`);
  }
  return n;
}

export function parseScenario(raw: string): ScenarioName {
  if (!(SCENARIO_NAMES as string[]).includes(raw)) {
    throw new BrushwatchError('USAGE', `--scenario ${raw} is unknown; use one of ${SCENARIO_NAMES.join(', ')}`);
  }
  return raw as ScenarioName;
}

/** Writes events.ndjson and truth.json into `dir`; returns the ground truth. */
export async function writeSimulation(name: ScenarioName, seed: number, dir: string) {
  const sim = createSimulation(SCENARIOS[name], seed);
  try {
    await mkdir(dir, { recursive: true });
  } catch (cause) {
    throw new BrushwatchError('OUTPUT_UNWRITABLE', `cannot create output directory "${dir}"; check permissions`, { cause });
  }
  const out = createWriteStream(join(dir, 'events.ndjson'));
  const failed = once(out, 'error').then(([cause]) => {
    throw new BrushwatchError('OUTPUT_UNWRITABLE', `cannot write "${join(dir, 'events.ndjson')}"`, { cause });
  });
  failed.catch(() => undefined);
  let chunk = '';
  for (const ev of sim.events()) {
    chunk += JSON.stringify(ev) + '\n';
    if (chunk.length >= 1 << 20) {
      if (!out.write(chunk)) await Promise.race([once(out, 'drain'), failed]);
      chunk = '';
    }
  }
  out.end(chunk);
  await Promise.race([once(out, 'finish'), failed]);
  await writeFile(join(dir, 'truth.json'), JSON.stringify(sim.truth, null, 2) + '\n');
  return sim.truth;
}

export function register(program: Command): void {
  addToKafkaOptions(program.command('simulate'))
    .description('Write a seeded marketplace with planted brushing campaigns: DIR/events.ndjson and DIR/truth.json')
    .option('--scenario <name>', `one of ${SCENARIO_NAMES.join(', ')}`, 'small')
    .option('--seed <n>', 'PRNG seed; the same seed gives identical bytes', '1')
    .option('--out <dir>', 'output directory (required unless --to-kafka)')
    .action(async (opts: { scenario: string; seed: string; out?: string; toKafka?: boolean }) => {
      const name = parseScenario(opts.scenario);
      const seed = parseSeed(opts.seed);
      if (opts.toKafka === true) return void process.stdout.write(await simulateToKafka(SCENARIOS[name], seed, opts));
      if (opts.out === undefined) throw new BrushwatchError('USAGE', 'simulate needs --out DIR, or --to-kafka');
      const started = performance.now();
      const truth = await writeSimulation(name, seed, opts.out);
      const s = truth.scenario;
      const secs = (performance.now() - started) / 1000;
      process.stdout.write(
        `simulate: scenario ${s.name} seed ${s.seed}: ${s.events} events (${s.duplicates} duplicates) over ${s.days} days, ` +
          `${s.sellers} sellers, ${s.buyers} buyers, ${truth.campaigns.length} campaigns, ${truth.hardNegatives.length} hard negatives ` +
          `→ ${opts.out} in ${secs.toFixed(1)} s\n`,
      );
    });
}
