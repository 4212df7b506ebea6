/**
 * A fixed-size, 2-way set-associative table of packed numbers, as a plain JSON-able array: each
 * entry is fingerprint · 2^payloadBits + payload (≤ 2^53, exact in a double), −1 when empty.
 * It remembers "have I seen this key, and what about it" for the most recent keys in one number
 * each, without keeping key strings; a full pair of slots evicts the smaller payload, so callers
 * put time in the payload's high bits to evict the oldest. False matches need equal fingerprints
 * in the same pair: about pairs / 2^fingerprintBits per lookup.
 */
import { mix32 } from './hash.js';

export function assocCreate(slots: number): number[] {
  return new Array<number>(slots).fill(-1);
}

export function fingerprint(h: number, payloadBits: number): number {
  // Independent of the slot index bits; up to 32 bits, fewer when the payload needs more.
  return mix32(h ^ 0x5bd1e995) >>> Math.max(0, payloadBits - 21);
}

/** The second slot of a key's pair: differs from the first whenever there are ≥ 2 slots (exported for signals/fingerprint-table.ts, which stores the same table sparsely). */
export function pairOf(h: number, a: number, slots: number): number {
  return a ^ (((h >>> 16) | 1) & (slots - 1));
}

/** Index of the entry for key hash `h`, or −1. `slots` must be a power of two. */
export function assocFind(t: readonly number[], h: number, payloadBits: number): number {
  const fp = fingerprint(h, payloadBits);
  const scale = 2 ** payloadBits;
  const a = h & (t.length - 1);
  const b = pairOf(h, a, t.length);
  const ea = t[a]!;
  if (ea >= 0 && Math.floor(ea / scale) === fp) return a;
  const eb = t[b]!;
  if (eb >= 0 && Math.floor(eb / scale) === fp) return b;
  return -1;
}

export function assocPayload(t: readonly number[], index: number, payloadBits: number): number {
  return t[index]! % 2 ** payloadBits;
}

/**
 * Where a put goes, given the entries ea and eb (-1 when empty) of the key's two slots a and b: its
 * own entry, else an empty slot, else the smaller payload of the pair. Shared with the sparse
 * tables that must place keys exactly as this table does.
 */
export function putSlot(ea: number, eb: number, a: number, b: number, fp: number, scale: number): number {
  if (ea >= 0 && Math.floor(ea / scale) === fp) return a;
  if (eb >= 0 && Math.floor(eb / scale) === fp) return b;
  if (ea < 0) return a;
  if (eb < 0) return b;
  return ea % scale <= eb % scale ? a : b;
}

/**
 * assocFind and then assocPut's choice, in one pass, for a caller that reads a key's entry before
 * it writes it: the entry's index when the key is held, else −1 − the index assocPut would fill.
 */
export function assocSlot(t: readonly number[], h: number, payloadBits: number): number {
  const fp = fingerprint(h, payloadBits);
  const scale = 2 ** payloadBits;
  const a = h & (t.length - 1);
  const b = pairOf(h, a, t.length);
  const ea = t[a]!;
  const eb = t[b]!;
  // An empty slot's −1 floors to −1, no fingerprint.
  const fa = Math.floor(ea / scale);
  const fb = Math.floor(eb / scale);
  if (fa === fp) return a;
  if (fb === fp) return b;
  if (ea < 0) return -1 - a;
  if (eb < 0) return -1 - b;
  // putSlot's smaller payload, its remainder by the floor already taken: % on a double is a slow call.
  return -1 - (ea - fa * scale <= eb - fb * scale ? a : b);
}

/** Sets the key's payload, replacing its entry, an empty slot, or the smaller payload of the pair. */
export function assocPut(t: number[], h: number, payload: number, payloadBits: number): void {
  const fp = fingerprint(h, payloadBits);
  const scale = 2 ** payloadBits;
  const a = h & (t.length - 1);
  const b = pairOf(h, a, t.length);
  t[putSlot(t[a]!, t[b]!, a, b, fp, scale)] = fp * scale + payload;
}

/** Empties every entry whose payload is below `minPayload`. */
export function assocExpire(t: number[], minPayload: number, payloadBits: number): void {
  const scale = 2 ** payloadBits;
  for (let i = 0; i < t.length; i++) if (t[i]! >= 0 && t[i]! % scale < minPayload) t[i] = -1;
}
