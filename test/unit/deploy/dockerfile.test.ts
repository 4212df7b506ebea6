/**
 * What the image promises, checked without a Docker engine: the stages and runtime settings of
 * the Dockerfile, that every COPY source exists and passes .dockerignore, and that the code the
 * image runs imports nothing that `npm ci --omit=dev` leaves out.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..', '..', '..');

interface Instruction {
  readonly op: string;
  readonly args: string;
}

/** Instructions with line continuations joined and comments dropped. */
function instructions(text: string): Instruction[] {
  const out: Instruction[] = [];
  let current = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (current === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.endsWith('\\')) {
      current += `${line.slice(0, -1)} `;
      continue;
    }
    current += line;
    const m = /^(\w+)\s+([\s\S]*)$/.exec(current);
    if (m) out.push({ op: (m[1] ?? '').toUpperCase(), args: m[2] ?? '' });
    current = '';
  }
  return out;
}

const all = instructions(readFileSync(join(root, 'Dockerfile'), 'utf8'));
const stages: Instruction[][] = [];
for (const i of all) {
  if (i.op === 'FROM') stages.push([]);
  stages.at(-1)?.push(i);
}
const final = stages.at(-1) ?? [];
const args = (op: string, stage: Instruction[] = final) => stage.filter((i) => i.op === op).map((i) => i.args);

test('multi-stage on node:20-bookworm-slim, production dependencies only in the final stage', () => {
  assert.ok(stages.length >= 2, 'at least two stages');
  assert.ok(all.some((i) => i.op === 'ARG' && i.args === 'NODE_IMAGE=node:20-bookworm-slim'));
  for (const s of stages) assert.match(s[0]?.args ?? '', /^\$\{NODE_IMAGE\}( AS \w+)?$/);
  assert.ok(args('RUN').some((r) => /npm ci --omit=dev/.test(r)), 'npm ci --omit=dev in the final stage');
  assert.ok(!args('RUN').some((r) => /npm ci(?! --omit=dev)/.test(r)), 'no dev install in the final stage');
});

test('the final stage runs as non-root, exposes 9464, checks /livez and starts `brushwatch run`', () => {
  const user = args('USER').at(-1) ?? '';
  assert.ok(user !== '' && !/^(root|0)(:|$)/.test(user), `USER ${user}`);
  assert.deepEqual(args('EXPOSE'), ['9464']);
  assert.match(args('HEALTHCHECK')[0] ?? '', /CMD .*\/livez/);
  assert.deepEqual(JSON.parse(args('ENTRYPOINT')[0] ?? '[]'), ['node', '/app/bin/brushwatch.js']);
  assert.deepEqual(JSON.parse(args('CMD')[0] ?? '[]'), ['run']);
});

/** The patterns of this project's .dockerignore: `**` excludes everything, `!x` and `!x/**` re-include. */
function includedByDockerignore(path: string): boolean {
  let included = true;
  for (const raw of readFileSync(join(root, '.dockerignore'), 'utf8').split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const negate = line.startsWith('!');
    const pattern = negate ? line.slice(1) : line;
    const matches = pattern === '**' || path === pattern || (pattern.endsWith('/**') && path.startsWith(pattern.slice(0, -2)));
    if (!matches) continue;
    included = negate;
  }
  return included;
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

test('every COPY from the build context exists and is sent by .dockerignore', () => {
  const sources = all
    .filter((i) => i.op === 'COPY' && !i.args.startsWith('--from'))
    .flatMap((i) => i.args.split(/\s+/).slice(0, -1));
  assert.ok(sources.length >= 5);
  for (const src of sources) {
    const path = join(root, src);
    assert.ok(existsSync(path), `COPY ${src}: missing`);
    const members = statSync(path).isDirectory() ? files(path).map((f) => relative(root, f)) : [src];
    for (const m of members) assert.ok(includedByDockerignore(m), `${m} is excluded by .dockerignore but copied`);
  }
  assert.equal(includedByDockerignore('node_modules/kafkajs/index.js'), false);
  assert.equal(includedByDockerignore('.git/HEAD'), false);
});

test('the shipped code imports only builtins and production dependencies', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  const builtins = new Set(builtinModules);
  const shipped = [...files(join(root, 'src')), ...files(join(root, 'bin'))].filter((f) => /\.(ts|js|mjs)$/.test(f));
  const seen = new Set<string>();
  for (const file of shipped) {
    const text = readFileSync(file, 'utf8');
    // `import type` is erased at run time, so it may name a dev dependency.
    for (const m of text.matchAll(/^\s*(?:import|export)(?!\s+type\b)[^'"]*?from\s+['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/gm)) {
      const spec = m[1] ?? m[2] ?? '';
      if (spec.startsWith('.') || spec.startsWith('node:') || builtins.has(spec)) continue;
      const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] ?? '');
      seen.add(name);
      assert.ok(name in pkg.dependencies, `${relative(root, file)} imports ${spec}, which is not in "dependencies" (the image installs only those)`);
    }
  }
  for (const dep of ['kafkajs', 'zod', 'commander', 'prom-client', 'tsx']) assert.ok(seen.has(dep), `the scan found no import of ${dep}`);
});
