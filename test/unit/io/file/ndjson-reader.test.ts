import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readNdjson } from '../../../../src/io/file/ndjson-reader.js';
import type { BadLine } from '../../../../src/io/file/ndjson-reader.js';
import { BrushwatchError } from '../../../../src/errors.js';

const dir = await mkdtemp(join(tmpdir(), 'brushwatch-reader-'));
after(() => rm(dir, { recursive: true, force: true }));

async function readAll(path: string, chunkBytes?: number) {
  const values: unknown[] = [];
  const lines: number[] = [];
  const bad: BadLine[] = [];
  for await (const b of readNdjson(path, chunkBytes === undefined ? {} : { chunkBytes })) {
    values.push(...b.values);
    lines.push(...b.lines);
    bad.push(...b.bad);
  }
  return { values, lines, bad };
}

test('parses every line with its 1-based number; broken lines are reported and reading goes on', async () => {
  const path = join(dir, 'mixed.ndjson');
  await writeFile(path, '{"a":1}\n{broken\n\n{"a":"ü€"}\r\n[1,2]\n{"a":3}');
  // A tiny chunk size splits lines and multi-byte characters across chunks.
  for (const chunk of [3, 7, 1024]) {
    const r = await readAll(path, chunk);
    assert.deepEqual(r.values, [{ a: 1 }, { a: 'ü€' }, [1, 2], { a: 3 }], `chunk ${chunk}`);
    assert.deepEqual(r.lines, [1, 4, 5, 6]);
    assert.equal(r.bad.length, 1);
    assert.equal(r.bad[0]!.line, 2);
    assert.equal(r.bad[0]!.reason, 'BAD_JSON');
    assert.match(r.bad[0]!.detail, /\{broken/);
  }
});

test('invalid UTF-8 is BAD_ENCODING; a genuine U+FFFD in the text is not', async () => {
  const path = join(dir, 'encoding.ndjson');
  await writeFile(path, Buffer.concat([Buffer.from('{"a":"ok"}\n{"a":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}\n{"a":2}\n')]));
  const r = await readAll(path);
  assert.deepEqual(r.values, [{ a: 'ok' }, { a: 2 }]);
  assert.deepEqual(r.bad.map((b) => [b.line, b.reason]), [[2, 'BAD_ENCODING']]);
  const legit = join(dir, 'legit.ndjson');
  await writeFile(legit, '{"a":"\uFFFD"}\n');
  assert.deepEqual((await readAll(legit)).values, [{ a: '\uFFFD' }]);
});

test('a missing file is BRUSH_INPUT_UNREADABLE', async () => {
  await assert.rejects(readAll(join(dir, 'nope.ndjson')), (err: unknown) => err instanceof BrushwatchError && err.code === 'BRUSH_INPUT_UNREADABLE');
});

test('with events, the records JSON.parse built are listed by index; the parser\'s own records are not', async () => {
  const path = join(dir, 'events.ndjson');
  const plain = '{"kind":"review","eventId":"e1","reviewId":"r","eventTime":1767225600000,"orderId":null,"sellerId":"s","buyerId":"b","itemId":"i","rating":5,"text":"ok","hasMedia":false}';
  const escaped = plain.replace('"ok"', '"o\\u006b"');
  await writeFile(path, `${plain}\n${escaped}\n{broken\n${plain}\n[1]\n`);
  const generic: number[][] = [];
  const values: unknown[][] = [];
  for await (const b of readNdjson(path, { events: true })) {
    generic.push(b.generic);
    values.push(b.values);
  }
  assert.deepEqual(generic, [[1, 3]]);
  assert.equal(values[0]!.length, 4);
  assert.deepEqual(values[0]![1], JSON.parse(escaped));
  for await (const b of readNdjson(path)) assert.deepEqual(b.generic, []);
});
