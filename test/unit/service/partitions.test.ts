import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PartitionTracker } from '../../../src/service/partitions.js';

const DISORDER = 1_000;
const IDLE = 5_000;

describe('PartitionTracker', () => {
  it('takes the min over partitions minus the allowed disorder', () => {
    const t = new PartitionTracker(DISORDER, IDLE);
    t.assign({ orders: [0, 1] }, 0);
    t.processed(t.get('orders', 0, 0), 10, 10, 50_000, 0);
    assert.equal(t.watermark(0), undefined, 'partition 1 has not delivered: no watermark yet');
    t.processed(t.get('orders', 1, 0), 5, 20, 30_000, 0);
    assert.equal(t.watermark(0), 30_000 - DISORDER);
  });

  it('never releases a partition with a backlog, however long it waits', () => {
    const t = new PartitionTracker(DISORDER, IDLE);
    t.assign({ orders: [0, 1] }, 0);
    t.processed(t.get('orders', 0, 0), 100, 100, 90_000, 0);
    t.processed(t.get('orders', 1, 0), 5, 500, 10_000, 0);
    assert.equal(t.watermark(1_000_000), 10_000 - DISORDER);
  });

  it('releases a caught-up partition after idlePartitionMs, not before', () => {
    const t = new PartitionTracker(DISORDER, IDLE);
    t.assign({ orders: [0, 1] }, 0);
    t.processed(t.get('orders', 0, 0), 100, 100, 90_000, 4_000);
    t.processed(t.get('orders', 1, 0), 500, 501, 10_000, 0);
    assert.equal(t.watermark(4_999), 10_000 - DISORDER);
    assert.equal(t.watermark(5_000), 90_000 - DISORDER, 'one unread offset (a commit marker) still counts as caught up');
  });

  it('an unseen partition holds until its position is known to be caught up and it is quiet', () => {
    const t = new PartitionTracker(DISORDER, IDLE);
    t.assign({ orders: [0], reviews: [0] }, 0);
    t.processed(t.get('orders', 0, 0), 10, 10, 50_000, 0);
    assert.equal(t.watermark(60_000), undefined, 'position unknown');
    t.setPosition('reviews', 0, 7, 0, 9);
    assert.equal(t.watermark(60_000), undefined, 'two records waiting');
    const u = new PartitionTracker(DISORDER, IDLE);
    u.assign({ orders: [0], reviews: [0] }, 0);
    u.processed(u.get('orders', 0, 0), 10, 10, 50_000, 0);
    u.setPosition('reviews', 0, -1, 0, 0);
    assert.equal(u.watermark(IDLE - 1), undefined);
    assert.equal(u.watermark(IDLE), 50_000 - DISORDER, 'an empty partition is released once quiet');
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
    assert.equal(t.watermark(0), 50_000 - DISORDER, 'the revoked slow partition no longer holds the watermark');
    assert.deepEqual(t.uncommitted(), []);
  });
});
