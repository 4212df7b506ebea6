#!/usr/bin/env node
// Runs the test suite with node's test runner. When integration tests are selected and no
// KAFKA_BROKERS is given, it starts the project's own single-node Kafka (and schema registry)
// first and always stops them afterwards.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const roots = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['test'];

function collect(path, out) {
  if (!existsSync(path)) return out;
  if (statSync(path).isFile()) {
    if (path.endsWith('.test.ts')) out.push(path);
    return out;
  }
  for (const name of readdirSync(path).sort()) collect(join(path, name), out);
  return out;
}

const files = roots.flatMap((r) => collect(r, []));
if (files.length === 0) {
  console.error(`no test files under ${roots.join(', ')}`);
  process.exit(1);
}

const env = { ...process.env };
let infraDir;
const wantsInfra = files.some((f) => f.includes('integration'));
if (wantsInfra && !env.KAFKA_BROKERS && existsSync('scripts/kafka-local.sh')) {
  // A state dir of its own per run: several test runs in one work tree must not share, or stop,
  // each other's broker. The script's watchdog stops it if this runner is killed outright.
  infraDir = join('.kafka', `test-${process.pid}`);
  env.KAFKA_LOCAL_DIR = infraDir;
  env.KAFKA_LOCAL_OWNER_PID = String(process.pid);
  const r = spawnSync('bash', ['scripts/kafka-local.sh', 'start'], { stdio: 'inherit', env });
  if (r.status !== 0) {
    console.error('could not start the local Kafka broker');
    rmSync(infraDir, { recursive: true, force: true });
    process.exit(1);
  }
  env.KAFKA_BROKERS = readFileSync(join(infraDir, 'brokers'), 'utf8').trim();
  const registryUrl = join(infraDir, 'registry-url');
  if (existsSync(registryUrl)) env.SCHEMA_REGISTRY_URL = readFileSync(registryUrl, 'utf8').trim();
  env.KAFKA_SECURE_JSON = join(infraDir, 'secure.json');
}

function stopAll() {
  if (infraDir === undefined) return;
  spawnSync('bash', ['scripts/kafka-local.sh', 'stop'], { stdio: 'inherit', env });
  // Keep the broker and registry logs of a failed run for diagnosis.
  if (process.exitCode === 0) rmSync(infraDir, { recursive: true, force: true });
  infraDir = undefined;
}

const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=1', ...files],
  { stdio: 'inherit', env },
);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => {
  process.exitCode = code ?? (signal ? 1 : 0);
  stopAll();
  process.exit();
});
