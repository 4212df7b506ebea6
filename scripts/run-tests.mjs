#!/usr/bin/env node
// Runs the test suite with node's test runner. When integration tests are selected and no
// KAFKA_BROKERS is given, it starts the project's own single-node Kafka (and schema registry)
// first and always stops them afterwards.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, readFileSync } from 'node:fs';
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
const started = [];
const wantsInfra = files.some((f) => f.includes('integration'));
if (wantsInfra && !env.KAFKA_BROKERS && existsSync('scripts/kafka-local.sh')) {
  const r = spawnSync('bash', ['scripts/kafka-local.sh', 'start'], { stdio: 'inherit', env });
  if (r.status !== 0) {
    console.error('could not start the local Kafka broker');
    process.exit(1);
  }
  started.push('scripts/kafka-local.sh');
  env.KAFKA_BROKERS = readFileSync('.kafka/brokers', 'utf8').trim();
  if (existsSync('.kafka/registry-url')) env.SCHEMA_REGISTRY_URL = readFileSync('.kafka/registry-url', 'utf8').trim();
}

function stopAll() {
  for (const script of started.splice(0)) spawnSync('bash', [script, 'stop'], { stdio: 'inherit', env });
}

const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=1', ...files],
  { stdio: 'inherit', env },
);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => {
  stopAll();
  process.exit(code ?? (signal ? 1 : 0));
});
