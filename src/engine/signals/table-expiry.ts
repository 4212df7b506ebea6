/**
 * Expiry of a fingerprint table (`sketch/assoc.ts`) only when an entry can be due. The signals
 * put event time in the high bits of every payload, so a lower bound of the payloads held tells
 * whether a scan could empty anything: most evaluations of most sellers then skip the scan of
 * every slot. The bound is plain data in the signal's state; `undefined` (a state restored from
 * a snapshot that predates it) means unknown, which always scans.
 */
import { assocExpire } from '../sketch/assoc.js';

/** The bound of an empty table: no payload is below it. */
export const NOTHING_DUE = Number.MAX_SAFE_INTEGER;

/** The bound after putting `payload` (callers put only payloads of the current event time or later). */
export function lowered(low: number | undefined, payload: number): number | undefined {
  return low === undefined || payload >= low ? low : payload;
}

/**
 * `assocExpire(t, minPayload, payloadBits)` when some payload may be below `minPayload`; returns
 * the new bound (the smallest payload left, exact after a scan).
 */
export function expireDue(t: number[], minPayload: number, payloadBits: number, low: number | undefined): number {
  if (low !== undefined && minPayload <= low) return low;
  assocExpire(t, minPayload, payloadBits);
  const scale = 2 ** payloadBits;
  let min = NOTHING_DUE;
  for (let i = 0; i < t.length; i++) {
    const e = t[i]!;
    if (e >= 0 && e % scale < min) min = e % scale;
  }
  return min;
}
