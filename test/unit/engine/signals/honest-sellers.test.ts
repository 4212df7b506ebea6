import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as repeatBuyers from '../../../../src/engine/signals/repeat-buyers.js';
import * as freshAccounts from '../../../../src/engine/signals/fresh-accounts.js';
import * as sharedIdentity from '../../../../src/engine/signals/shared-identity.js';
import * as reviewTiming from '../../../../src/engine/signals/review-timing.js';
import * as duplicateText from '../../../../src/engine/signals/duplicate-text.js';
import type { SellerSignal } from '../../../../src/engine/types.js';
import { drive, honestSeller } from './fixtures.js';

// False positives across signals 1–5: a week of 30 ordinary small sellers with every event kind.
const modules = [repeatBuyers, freshAccounts, sharedIdentity, reviewTiming, duplicateText] as const;
const sellers = Array.from({ length: 30 }, (_, i) => honestSeller(i));

for (const m of modules) {
  test(`${m.signal.name} stays quiet on a week of 30 honest small sellers`, () => {
    const signal = m.signal as SellerSignal<unknown, unknown>;
    const config = m.configSchema.parse({});
    const fired = sellers.map((events) => drive(signal, config, events).findings).filter((f) => f.length > 0);
    assert.deepEqual(fired, []);
  });
}
