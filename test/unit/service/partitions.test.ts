import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PartitionTracker, splitKey } from '../../../src/service/partitions.js';

const DISORDER = 1_000;
const IDLE = 5_000;
const highs = (entries: Record<string, number>) => new Map(Object.entries(entries));

describe('PartitionTracker', () => {
  it('takes the min over partitions minus the allowed disorder', () => {
    const t = new PartitionTracker(DISORDER, IDLE);
    t.assign({ orders: [0, 1] }, 0);
    t.processed(t.get('orders', 0, 0), 10, 10, 50_000, 0);
    assert.equal(t.watermark(() => null), undefined, 'partition 1 has not delivered: no watermark yet');
    t.processed(t.get('orders', 1, 0), 5, 20, 30_000, 0);
    assert.equal(t.watermark(() => null), 30_000 - DISORDER);
  });

  it('describes each partition as the log line about late events shows it', () => {
    const t = new PartitionTracker(DISORDER, IDLE);
    t.assign({ orders: [0, 1] }, 0);
    t.processed(t.get('orders', 0, 0), 100, 100, 90_000, 0);
    t.processed(t.get('orders', 1, 0), 5, 6, 10_000, 0);
    t.refresh(highs({ 'orders/0': 100, 'orders/1': 500 }), 1_000_000, 90_000);
    assert.deepEqual(t.describe(), [
      { key: 'orders/0', next: 100, high: 100, seen: true, idle: true },
      { key: 'orders/1', next: 5, high: 500, seen: true, idle: false },
    ]);
  });

  it('never releases a partition with a backlog, however long it waits', () => {
    const t = new PartitionTracker(DISORDER, IDLE);
    t.assign({ orders: [0, 1] }, 0);
    t.processed(t.get('orders', 0, 0), 100, 100, 90_000, 0);
    t.processed(t.get('orders', 1, 0), 5, 500, 10_000, 0);
    t.refresh(highs({ 'orders/0': 100, 'orders/1': 500 }), 999_000, 90_000);
    t.refresh(highs({ 'orders/0': 100, 'orders/1': 500 }), 1_000_000, 90_000);
    assert.equal(t.watermark(() => null), 10_000 - DISORDER);
  });

  it('judges idleness against the fresh high watermark, not the one of the last batch', () => {
    const t = new PartitionTracker(DISORDER, IDLE);
    t.assign({ orders: [0, 1] }, 0);
    t.processed(t.get('orders', 0, 0), 100, 100, 90_000, 9_000);
    // Partition 1 looked caught up in its last batch, but records arrived since.
    t.processed(t.get('orders', 1, 0), 500, 500, 10_000, 0);
    t.refresh(highs({ 'orders/0': 100, 'orders/1': 800 }), 10_000, 90_000);
    assert.equal(t.watermark(() => null), 10_000 - DISORDER);
  });

  it('releases a caught-up quiet partition at the refresh after idlePartitionMs, until it delivers again', () => {
    const t = new PartitionTracker(DISORDER, IDLE);
    t.assign({ orders: [0, 1] }, 0);
    t.processed(t.get('orders', 0, 0), 100, 100, 90_000, 4_000);
    t.processed(t.get('orders', 1, 0), 500, 501, 10_000, 0);
    const fresh = highs({ 'orders/0': 100, 'orders/1': 501 });
    t.refresh(fresh, 4_999, 90_000);
    assert.equal(t.watermark(() => null), 10_000 - DISORDER);
    t.refresh(fresh, 5_000, 90_000);
    assert.equal(t.watermark(() => null), 90_000 - DISORDER, 'one unread offset (a commit marker) still counts as caught up');
    t.processed(t.get('orders', 1, 0), 510, 510, 20_000, 6_000);
    assert.equal(t.watermark(() => null), 20_000 - DISORDER, 'records make it hold again');
  });

  it("records on one partition make the others' idle verdicts stale until the next refresh", () => {
    const t = new PartitionTracker(DISORDER, IDLE);
    t.assign({ orders: [0], reviews: [0] }, 0);
    t.processed(t.get('orders', 0, 0), 10, 10, 50_000, 0);
    t.processed(t.get('reviews', 0, 0), 10, 10, 40_000, 0);
    const quiet = highs({ 'orders/0': 10, 'reviews/0': 10 });
    t.refresh(quiet, IDLE - 1, 50_000);
    t.refresh(quiet, IDLE, 50_000);
    assert.equal(t.watermark(() => 50_000), 50_000 - DISORDER, 'both idle: the latest event time counts');
    // A pause ends: the fetch brings orders first; reviews' records of the same moment wait behind.
    t.processed(t.get('orders', 0, 0), 20, 20, 200_000, IDLE + 1);
    assert.equal(t.watermark(() => 200_000), 40_000 - DISORDER, 'reviews holds again, not released by its old verdict');
    t.refresh(highs({ 'orders/0': 20, 'reviews/0': 10 }), 2 * IDLE, 200_000);
    assert.equal(t.watermark(() => 200_000), 50_000 - DISORDER, 'a fresh lookup finds reviews still quiet: released up to the lookup before');
    t.refresh(highs({ 'orders/0': 20, 'reviews/0': 10 }), 2 * IDLE + 1_000, 200_000);
    assert.equal(t.watermark(() => 200_000), 200_000 - DISORDER, 'and by the next one, fully');
  });

  it('an idle verdict from a lookup that a batch overtook releases only up to what was processed before the lookup', () => {
    const t = new PartitionTracker(DISORDER, IDLE);
    t.assign({ orders: [0], reviews: [0] }, 0);
    t.processed(t.get('orders', 0, 0), 10, 10, 50_000, IDLE);
    t.processed(t.get('reviews', 0, 0), 10, 10, 49_000, 0);
    t.refresh(highs({ 'orders/0': 10, 'reviews/0': 10 }), IDLE, 50_000);
    // The lookup starts (latest 50_000) and reads reviews' high (10). The producer then writes
    // records of one moment to both partitions; orders' batch is processed before the lookup answers.
    t.processed(t.get('orders', 0, 0), 20, 20, 300_000, 2 * IDLE);
    t.refresh(highs({ 'orders/0': 20, 'reviews/0': 10 }), 2 * IDLE, 50_000);
    assert.equal(t.watermark(() => 300_000), 50_000 - DISORDER, "reviews' records of that moment (not seen by the lookup) are not late");
    t.refresh(highs({ 'orders/0': 20, 'reviews/0': 10 }), 2 * IDLE + 1_000, 300_000);
    assert.equal(t.watermark(() => 300_000), 50_000 - DISORDER, 'the next lookup finds reviews still quiet: released up to the lookup before');
    t.refresh(highs({ 'orders/0': 20, 'reviews/0': 10 }), 2 * IDLE + 2_000, 300_000);
    assert.equal(t.watermark(() => 300_000), 300_000 - DISORDER, 'and then fully');
  });

  it('an idle verdict releases no further than what was processed before the previous lookup: one produce request lands on partitions one after another', () => {
    const t = new PartitionTracker(DISORDER, IDLE);
    t.assign({ orders: [0], reviews: [0] }, 0);
    t.processed(t.get('orders', 0, 0), 10, 10, 50_000, 0);
    t.processed(t.get('reviews', 0, 0), 10, 10, 49_000, 0);
    t.refresh(highs({ 'orders/0': 10, 'reviews/0': 10 }), IDLE, 50_000);
    // A request carries a review at 60_000 and, later in the producer's order, an order at
    // 300_000. The order lands and is processed before the next lookup starts; the review lands
    // after that lookup read reviews' high.
    t.processed(t.get('orders', 0, 0), 11, 11, 300_000, IDLE + 100);
    t.refresh(highs({ 'orders/0': 11, 'reviews/0': 10 }), IDLE + 500, 300_000);
    const wm = t.watermark(() => 300_000);
    assert.ok(wm !== undefined && wm <= 60_000, `the review at 60_000 must not be late: watermark ${wm}`);
  });

  it('one unread offset counts as a commit marker only once a lookup has seen it unread for idlePartitionMs', () => {
    const t = new PartitionTracker(DISORDER, IDLE);
    t.assign({ orders: [0], reviews: [0] }, 0);
    t.setCommitted('reviews', 0, -1, 0);
    t.processed(t.get('orders', 0, 0), 10, 10, 50_000, 0);
    t.refresh(highs({ 'orders/0': 10, 'reviews/0': 0 }), IDLE - 1, 50_000);
    t.processed(t.get('orders', 0, 0), 20, 20, 300_000, 2 * IDLE);
    t.refresh(highs({ 'orders/0': 20, 'reviews/0': 0 }), 2 * IDLE, 300_000);
    // The first review ever (60_000) is written: quiet for long, and one offset behind.
    t.refresh(highs({ 'orders/0': 20, 'reviews/0': 1 }), 2 * IDLE + 500, 300_000);
    const wm = t.watermark(() => 300_000);
    assert.ok(wm === undefined || wm <= 60_000, `the first review must not be late: watermark ${wm}`);
    t.refresh(highs({ 'orders/0': 20, 'reviews/0': 1 }), 3 * IDLE, 300_000);
    assert.equal(t.watermark(() => 300_000), undefined, 'still undecided before idlePartitionMs');
    t.refresh(highs({ 'orders/0': 20, 'reviews/0': 1 }), 3 * IDLE + 500, 300_000);
    assert.equal(t.watermark(() => 300_000), 300_000 - DISORDER, 'never delivered in idlePartitionMs: a commit marker');
  });

  it('an unseen partition holds until its committed offset is known, it is caught up and quiet', () => {
    const t = new PartitionTracker(DISORDER, IDLE);
    t.assign({ orders: [0], reviews: [0] }, 0);
    t.processed(t.get('orders', 0, 0), 10, 10, 50_000, 0);
    const fresh = highs({ 'orders/0': 10, 'reviews/0': 9 });
    t.refresh(fresh, 60_000, 50_000);
    assert.equal(t.watermark(() => null), undefined, 'committed offset unknown');
    assert.deepEqual(t.unknown().map((p) => p.key), ['reviews/0']);
    t.setCommitted('reviews', 0, 7, 0);
    t.refresh(fresh, 60_000, 50_000);
    assert.equal(t.watermark(() => null), undefined, 'two records waiting');
    t.setCommitted('reviews', 0, 9, 0);
    assert.equal(t.unknown().length, 0);
    const u = new PartitionTracker(DISORDER, IDLE);
    u.assign({ orders: [0], reviews: [0] }, 0);
    u.processed(u.get('orders', 0, 0), 10, 10, 50_000, 0);
    u.setCommitted('reviews', 0, -1, 0);
    u.refresh(highs({ 'orders/0': 10, 'reviews/0': 0 }), IDLE - 1, 50_000);
    assert.equal(u.watermark(() => null), undefined);
    u.refresh(highs({ 'orders/0': 10, 'reviews/0': 0 }), IDLE, 50_000);
    assert.equal(u.watermark(() => null), 50_000 - DISORDER, 'an empty partition is released once quiet');
  });

  it('once every partition is idle, the latest event time counts, also one restored from a snapshot', () => {
    const t = new PartitionTracker(DISORDER, IDLE);
    t.assign({ orders: [0, 1] }, 0);
    t.setCommitted('orders', 0, 10, 0);
    t.setCommitted('orders', 1, 20, 0);
    t.refresh(highs({ 'orders/0': 10, 'orders/1': 20 }), IDLE - 1, 70_000);
    t.refresh(highs({ 'orders/0': 10, 'orders/1': 20 }), IDLE, 70_000);
    assert.equal(t.watermark(() => null), undefined, 'no data at all');
    assert.equal(t.watermark(() => 70_000), 70_000 - DISORDER);
    t.refresh(highs({ 'orders/0': 12, 'orders/1': 20 }), IDLE, 70_000);
    assert.equal(t.watermark(() => 70_000), undefined, 'not while a partition has unread records');
  });

  it('forgets revoked partitions, lists uncommitted offsets and lag', () => {
    const t = new PartitionTracker(DISORDER, IDLE);
    t.assign({ orders: [0, 1] }, 0);
    t.processed(t.get('orders', 0, 0), 10, 15, 50_000, 0);
    t.processed(t.get('orders', 1, 0), 20, 20, 10_000, 0);
    assert.deepEqual(t.uncommitted(), [
      { topic: 'orders', partition: 0, offset: '10' },
      { topic: 'orders', partition: 1, offset: '20' },
    ]);
    t.committed([{ topic: 'orders', partition: 0, offset: '10' }]);
    assert.deepEqual(t.uncommitted(), [{ topic: 'orders', partition: 1, offset: '20' }]);
    assert.deepEqual([...t.lag()], [
      { topic: 'orders', partition: 0, lag: 5 },
      { topic: 'orders', partition: 1, lag: 20 },
    ]);
    assert.deepEqual(t.assign({ orders: [0] }, 0), ['orders/0']);
    assert.equal(t.watermark(() => null), 50_000 - DISORDER, 'the revoked slow partition no longer holds the watermark');
    assert.deepEqual(t.uncommitted(), []);
  });

  it('resumes from the positions of a restored checkpoint: they count as committed', () => {
    const t = new PartitionTracker(DISORDER, IDLE);
    t.resumeFrom({ 'bw.orders-v1/3': 42, 'reviews/3': 7 }, 0);
    assert.deepEqual(t.positions(), { 'bw.orders-v1/3': 42, 'reviews/3': 7 });
    assert.deepEqual(t.uncommitted(), [], 'nothing to commit before a record is processed');
    assert.deepEqual(splitKey('bw.orders-v1/3'), { topic: 'bw.orders-v1', partition: 3 });
  });
});
