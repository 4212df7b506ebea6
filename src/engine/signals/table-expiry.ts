/**
 * Expiry of a fingerprint table (`sketch/assoc.ts`) only when an entry can be due. The signals
 * put event time in the high bits of every payload, so a lower bound of the payloads held tells
 * whether a scan could empty anything: most evaluations of most sellers then skip the scan of
 * every slot. The bound is plain data in the signal's state; `undefined` (a state restored from
 * a snapshot that predates it) means unknown, which always scans.
 */
import { assocExpire } from '../sketch/assoc.js';

/**
 * The bound of an empty table. Bounds are kept in units of `unit` payload so that they stay small
 * integers (V8 stores a field that ever held a fraction or a large number as a separate box).
 */
export const NOTHING_DUE = 2 ** 30 - 1;

/** The bound after putting `payload`. */
export function lowered(low: number | undefined, payload: number, unit: number): number | undefined {
  if (low === undefined) return undefined;
  const p = Math.floor(payload / unit);
  return p < low ? p : low;
}

/**
 * `assocExpire(t, minPayload, payloadBits)` when some payload may be below `minPayload`; returns
 * the new bound (the smallest payload left ÷ unit, rounded down).
 */
export function expireDue(t: number[], minPayload: number, payloadBits: number, unit: number, low: number | undefined): number {
  if (low !== undefined && minPayload <= low * unit) return low;
  assocExpire(t, minPayload, payloadBits);
  const scale = 2 ** payloadBits;
  let min: number = NOTHING_DUE;
  for (let i = 0; i < t.length; i++) {
    const e = t[i]!;
    if (e >= 0 && e % scale < min) min = e % scale;
  }
  return min === NOTHING_DUE ? min : Math.floor(min / unit);
}
