import { gzipSync } from 'node:zlib';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../../../src/engine/engine.js';
import { parseEngineConfig } from '../../../src/engine/config.js';
import type { Alert } from '../../../src/engine/types.js';
import { ChangelogFold, END_KEY, META_KEY, changelogRecords } from '../../../src/service/changelog.js';
import { FAKE_SIGNALS, generateStream } from '../../helpers/fixtures.js';

const cfg = parseEngineConfig({});
const opts = { signals: FAKE_SIGNALS, trackChanges: true } as const;
const events = generateStream({ seed: 11, honest: 30, brushers: 3, hours: 96, ordersPerHour: 2, jitterMs: 5 * 60_000 });

function uninterrupted(): Alert[] {
  const e = new Engine(cfg, opts);
  for (const ev of events) e.ingest(ev);
  e.finish();
  return e.drainAlerts();
}

/**
 * Checkpoints every `every` events (alerts + changelog records "committed" together), crashes at
 * the given event indexes (losing everything since the last checkpoint) and resumes from the
 * changelog and the checkpoint's position, as the service does from the committed offsets.
 */
function crashing(every: number, crashes: readonly number[]): { alerts: Alert[]; meanRecordsPerCheckpoint: number; sellers: number } {
  const fold = new ChangelogFold();
  const committed: Alert[] = [];
  let engine = new Engine(cfg, opts);
  let pending: Alert[] = [];
  let position = 0;
  let i = 0;
  let records = 0;
  let checkpoints = 0;
  const todo = [...crashes];
  while (i < events.length) {
    engine.ingest(events[i]!);
    i++;
    for (const a of engine.drainAlerts()) pending.push(a);
    if (todo.length > 0 && i === todo[0]) {
      todo.shift();
      const restored = fold.build(cfg, opts, 'state');
      engine = restored?.engine ?? new Engine(cfg, opts);
      pending = [];
      i = position;
      continue;
    }
    if (i % every === 0) {
      const out = changelogRecords(engine, engine.takeDirtySellers());
      records += out.length;
      checkpoints++;
      for (const r of out) fold.add(r.key as string, r.value as Buffer | null);
      committed.push(...pending);
      pending = [];
      position = i;
    }
  }
  engine.finish();
  return { alerts: [...committed, ...pending, ...engine.drainAlerts()], meanRecordsPerCheckpoint: records / Math.max(1, checkpoints), sellers: engine.stats().sellersTracked };
}

test('crashes between changelog checkpoints resume to the uninterrupted alerts, none lost or doubled', () => {
  const expected = uninterrupted();
  assert.ok(expected.length > 0, 'the stream must produce alerts for the comparison to mean anything');
  const n = events.length;
  const got = crashing(97, [Math.floor(n * 0.13), Math.floor(n * 0.4) + 5, Math.floor(n * 0.41), Math.floor(n * 0.77), n - 3]);
  assert.deepEqual(
    got.alerts.map((a) => JSON.stringify(a)),
    expected.map((a) => JSON.stringify(a)),
  );
});

test('a checkpoint writes only the sellers that changed since the previous one, plus the meta record', () => {
  const got = crashing(10, []);
  // 10 events (and the buffered ones a watermark step releases) touch a few sellers, not all.
  assert.ok(got.sellers > 30, `sellers ${got.sellers}`);
  assert.ok(got.meanRecordsPerCheckpoint < got.sellers / 3, `records per checkpoint ${got.meanRecordsPerCheckpoint} of ${got.sellers} sellers`);
});

test('the meta record goes to partition 0; seller records carry no partition, so they follow the seller key', () => {
  const e = new Engine(cfg, opts);
  for (const ev of events.slice(0, 200)) e.ingest(ev);
  const records = changelogRecords(e, e.takeDirtySellers());
  const meta = records.filter((r) => r.key === META_KEY);
  assert.equal(meta.length, 1);
  assert.equal(meta[0]!.partition, 0);
  assert.ok(records.filter((r) => r.key !== META_KEY).every((r) => r.partition === undefined && r.value !== null));
});

test('fold: a tombstone drops a seller, END markers are ignored, no meta means nothing to restore', () => {
  const e = new Engine(cfg, opts);
  for (const ev of events.slice(0, 300)) e.ingest(ev);
  const records = changelogRecords(e, e.takeDirtySellers());
  const fold = new ChangelogFold();
  assert.equal(fold.build(cfg, opts, 'state'), null);
  const sellers = records.filter((r) => r.key !== META_KEY);
  for (const r of sellers) fold.add(r.key as string, r.value as Buffer);
  assert.equal(fold.build(cfg, opts, 'state'), null);
  const meta = records.find((r) => r.key === META_KEY)!;
  fold.add(META_KEY, meta.value as Buffer);
  fold.add(END_KEY, null);
  fold.add(sellers[0]!.key as string, null);
  const r = fold.build(cfg, opts, 'state')!;
  assert.equal(r.sellers, sellers.length - 1);
  assert.equal(r.engine.stats().sellersTracked, sellers.length - 1);
  assert.equal(r.engine.sellerSnapshot(sellers[0]!.key as string), null);
  assert.deepEqual(r.engine.takeDirtySellers(), []);
});

test('a per-partition task writes every record to its partition, and its meta record carries the offsets it is as of', () => {
  const e = new Engine(cfg, opts);
  for (const ev of events.slice(0, 200)) e.ingest(ev);
  const task = { role: 'sellers', partition: 4, offsets: { 'orders/4': 120, 'reviews/4': 7 } } as const;
  const records = changelogRecords(e, e.takeDirtySellers(), task);
  assert.ok(records.length > 1);
  assert.ok(records.every((r) => r.partition === 4));
  const fold = new ChangelogFold();
  for (const r of records) fold.add(r.key as string, r.value as Buffer | null);
  const r = fold.build(cfg, opts, 'state', task)!;
  assert.deepEqual(r.offsets, task.offsets);
  assert.equal(r.engine.stats().sellersTracked, e.stats().sellersTracked);
});

test('fold: a changelog written by another role or another task cut is refused, naming both', () => {
  const e = new Engine(cfg, opts);
  for (const ev of events.slice(0, 100)) e.ingest(ev);
  const fold = (task?: { role: 'all' | 'sellers' | 'rings'; partition: number | null; offsets: Record<string, number> }) => {
    const f = new ChangelogFold();
    for (const r of changelogRecords(e, e.takeDirtySellers(), task)) f.add(r.key as string, r.value as Buffer | null);
    return f;
  };
  const refused = (err: Error) => (err as { code?: string }).code === 'BRUSH_CONFIG_INVALID' && /role all/.test(err.message) && /role sellers partition 2/.test(err.message);
  assert.throws(() => fold().build(cfg, opts, 'state', { role: 'sellers', partition: 2 }), refused);
  assert.throws(() => fold({ role: 'sellers', partition: 3, offsets: {} }).build(cfg, opts, 'state', { role: 'sellers', partition: 2 }), /partition 3/);
  assert.throws(() => fold({ role: 'rings', partition: null, offsets: {} }).build(cfg, opts, 'state'), /role rings/);
});

test('fold: a meta record from before tasks (a bare engine snapshot) restores as the one task of role all', () => {
  const e = new Engine(cfg, opts);
  for (const ev of events.slice(0, 100)) e.ingest(ev);
  const fold = new ChangelogFold();
  fold.add(META_KEY, gzipSync(JSON.stringify(e.snapshot({ sellers: false }))));
  const r = fold.build(cfg, opts, 'state')!;
  assert.deepEqual(r.offsets, {});
  assert.equal(r.engine.watermark, e.watermark);
  assert.throws(() => fold.build(cfg, opts, 'state', { role: 'sellers', partition: 0 }), /role all/);
});

test('fold: an unreadable meta record is reported as corrupt state, naming the topic', () => {
  const fold = new ChangelogFold();
  fold.add(META_KEY, Buffer.from('not gzip'));
  assert.throws(() => fold.build(cfg, opts, 'brushwatch-state'), (err: Error) => /BRUSH_STATE_CORRUPT|brushwatch-state/.test(`${(err as { code?: string }).code} ${err.message}`));
});
