/**
 * The `brushwatch` command line. Each subcommand lives in src/cli/commands/<name>.ts and exports
 * `register(program)`; this file only wires them together.
 */
import { Command } from 'commander';
import { BrushwatchError } from '../errors.js';

const program = new Command('brushwatch')
  .description('Real-time detection of marketplace brushing: fake orders and fake reviews.')
  .showHelpAfterError();

const commands: ReadonlyArray<() => Promise<{ register(p: Command): void }>> = [
  () => import('./commands/shopee.js'),
  () => import('./commands/simulate.js'),
  () => import('./commands/evaluate.js'),
  () => import('./commands/demo.js'),
  () => import('./commands/replay.js'),
  () => import('./commands/run.js'),
  () => import('./commands/repartition.js'),
  () => import('./commands/report.js'),
];

for (const load of commands) (await load()).register(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof BrushwatchError) {
    process.stderr.write(`brushwatch: ${err.code}: ${err.message}\n`);
    process.exit(2);
  }
  throw err;
}
