import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LateLines } from '../../../src/service/late-lines.js';

describe('LateLines', () => {
  it('reports the first batch of a partition at once, then at most one line per interval with the count since the last', () => {
    const lines = new LateLines(60_000);
    assert.equal(lines.add('reviews/5', 1, 1_000), 1);
    assert.equal(lines.add('reviews/0', 2, 1_500), 2, 'each partition has its own line');
    assert.equal(lines.add('reviews/5', 3, 30_000), 0);
    assert.equal(lines.add('reviews/5', 4, 60_999), 0);
    assert.equal(lines.add('reviews/5', 5, 61_000), 12, 'the batches since the last line, this one included');
    assert.equal(lines.add('reviews/5', 1, 62_000), 0);
    assert.equal(lines.add('reviews/0', 1, 61_500), 1);
  });
});
