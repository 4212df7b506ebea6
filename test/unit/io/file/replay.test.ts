import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEngineConfig } from '../../../../src/engine/config.js';
import { replayFile } from '../../../../src/io/file/replay.js';
import { FAKE_SIGNALS, DAY, T0, generateStream, order, toNdjson } from '../../../helpers/fixtures.js';

const dir = await mkdtemp(join(tmpdir(), 'brushwatch-replay-'));
after(() => rm(dir, { recursive: true, force: true }));

test('every kind of bad line is reported with its line number and reason; the replay completes', async () => {
  const events = generateStream({ seed: 3, honest: 5, brushers: 1, hours: 30, ordersPerHour: 2, jitterMs: 60_000 });
  const good = (id: string) => order({ eventId: id, eventTime: T0 + 3_600_000, sellerId: 's-0', buyerId: 'b' });
  const bad = [
    '{"kind":"order",', // BAD_JSON
    JSON.stringify({ ...good('x1'), sellerId: undefined }), // MISSING_FIELD
    JSON.stringify({ ...good('x2'), quantity: 'two' }), // WRONG_TYPE
    JSON.stringify({ kind: 'review', eventId: 'x3', reviewId: 'r', eventTime: T0, orderId: null, sellerId: 's', buyerId: 'b', itemId: 'i', rating: 9, text: '', hasMedia: false }), // rating 9
    JSON.stringify({ ...good('x4'), amountCents: -5 }), // negative amount
    JSON.stringify({ ...good('x5'), eventTime: T0 + 400 * DAY }), // far future
    JSON.stringify({ ...good('x6'), status: 'TELEPORTED' }), // unknown status
    '"just a string"', // NOT_AN_OBJECT
  ];
  const lines = toNdjson(events).trimEnd().split('\n');
  // Bad lines at known positions (2..9), after the first good one.
  lines.splice(1, 0, ...bad);
  lines.push(JSON.stringify(events.at(-1))); // a duplicate at the end
  const input = join(dir, 'events.ndjson');
  const output = join(dir, 'alerts.ndjson');
  const rejects = join(dir, 'rejects.ndjson');
  await writeFile(input, `${lines.join('\n')}\n`);
  const s = await replayFile({ input, output, rejects, config: parseEngineConfig({}), engine: { signals: FAKE_SIGNALS, ring: null } });
  assert.deepEqual(
    Object.fromEntries(Object.entries(s.invalid).map(([k, v]) => [k, v.firstLines])),
    { BAD_JSON: [2], MISSING_FIELD: [3], WRONG_TYPE: [4], OUT_OF_RANGE: [5, 6], FUTURE_TIME: [7], UNKNOWN_STATUS: [8], NOT_AN_OBJECT: [9] },
  );
  assert.equal(s.stats.duplicates, 1);
  assert.equal(s.stats.accepted, events.length);
  assert.equal(s.lines, lines.length);
  const rej = (await readFile(rejects, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { line: number; reason: string; detail: string });
  assert.deepEqual(rej.map((r) => r.line), [2, 3, 4, 5, 6, 7, 8, 9]);
  assert.match(rej[3]!.detail, /rating must be in 1\.\.5, got 9/);
  const alerts = (await readFile(output, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { sellerId: string });
  assert.ok(alerts.length > 0);
  assert.ok(alerts.every((a) => a.sellerId === 'brush-0'));
  assert.equal(s.alertsWritten, alerts.length);
});
