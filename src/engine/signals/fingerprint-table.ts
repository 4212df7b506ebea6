/**
 * The fingerprint table of `sketch/assoc.ts` (2-way set-associative, one packed number per key:
 * fingerprint · 2^payloadBits + payload) with the same answers, stored sparsely while few of its
 * slots are used, and expired only when an entry can be due.
 *
 * Two layouts, told apart by length. Dense: `slots` numbers as in assoc.ts, −1 empty (a longer
 * one, restored after `slots` was lowered in the config, is read as dense: its keys are forgotten,
 * never misread). Sparse: [slot, entry, slot, entry, …], fewer than `slots` numbers, only the
 * slots in use. Most
 * sellers hold a handful of keys, 2 numbers each instead of every slot. A table turns dense when
 * half its slots are used (dense is then no bigger, and puts stop copying) and sparse again when
 * expiry leaves a quarter or less. Which slot a key takes, and which entry a full pair evicts, are
 * assoc.ts's own rules, so a table holds the same keys in either layout.
 *
 * Expiry: the signals put event time in the high bits of every payload, so a lower bound of the
 * payloads held (`low`, plain data in the signal's state, in units of `unit` payload so that it
 * stays a small integer) tells whether a scan could empty anything; most evaluations then skip
 * it. `undefined` (a state restored from a snapshot that predates the bound) always scans.
 *
 * The table may follow a caller's own numbers in one array: it is `t` from index `from` on, and
 * its layout is told by the length after `from`. One array instead of two saves a seller 48 B of
 * headers; a sparse put that grows the table copies the caller's numbers too.
 */
import { fingerprint, pairOf, putSlot } from '../sketch/assoc.js';
import { lowOf } from './packed.js';

/** A table on its own (`from` 0), as snapshots before review_timing's in-array table held it. */
export type Table = readonly number[];

/** The bound of an empty table: no payload is below it. */
export const NOTHING_DUE = 2 ** 30 - 1;

/** The payload held for key hash `h`, or −1 (assocFind + assocPayload). `slots`: a power of two. */
/** The payload held for key hash `h`, or −1 (assocFind + assocPayload). `slots`: a power of two. */
export function tableGet(t: readonly number[], from: number, slots: number, h: number, payloadBits: number): number {
  const fp = fingerprint(h, payloadBits);
  const scale = 2 ** payloadBits;
  const a = h & (slots - 1);
  const b = pairOf(h, a, slots);
  let ea = -1;
  let eb = -1;
  if (t.length - from >= slots) {
    ea = t[from + a]!;
    eb = t[from + b]!;
  } else
    for (let i = from; i < t.length; i += 2) {
      const slot = t[i];
      if (slot === a) ea = t[i + 1]!;
      else if (slot === b) eb = t[i + 1]!;
    }
  if (ea >= 0 && Math.floor(ea / scale) === fp) return lowOf(ea, scale);
  if (eb >= 0 && Math.floor(eb / scale) === fp) return lowOf(eb, scale);
  return -1;
}

/** Sets the key's payload as assocPut does; returns `t`, or a new array (the caller's numbers copied) when a sparse table grows. */
export function tablePut(t: number[], from: number, slots: number, h: number, payload: number, payloadBits: number): number[] {
  return put(t, from, slots, h, payload, payloadBits, true);
}

/** tablePut of a key not held yet, or null (nothing changed) when it is held: tableGet < 0 and then tablePut, in one pass. */
export function tableAdd(t: number[], from: number, slots: number, h: number, payload: number, payloadBits: number): number[] | null {
  return put(t, from, slots, h, payload, payloadBits, false);
}

function put(t: number[], from: number, slots: number, h: number, payload: number, payloadBits: number, replace: true): number[];
function put(t: number[], from: number, slots: number, h: number, payload: number, payloadBits: number, replace: boolean): number[] | null;
function put(t: number[], from: number, slots: number, h: number, payload: number, payloadBits: number, replace: boolean): number[] | null {
  const fp = fingerprint(h, payloadBits);
  const scale = 2 ** payloadBits;
  const a = h & (slots - 1);
  const b = pairOf(h, a, slots);
  const entry = fp * scale + payload;
  const len = t.length - from;
  if (len >= slots) {
    const ea = t[from + a]!;
    const eb = t[from + b]!;
    if (!replace && ((ea >= 0 && Math.floor(ea / scale) === fp) || (eb >= 0 && Math.floor(eb / scale) === fp))) return null;
    t[from + putSlot(ea, eb, a, b, fp, scale)] = entry;
    return t;
  }
  let ia = -1;
  let ib = -1;
  for (let i = from; i < t.length; i += 2) {
    const slot = t[i];
    if (slot === a) ia = i;
    else if (slot === b) ib = i;
  }
  const ea = ia < 0 ? -1 : t[ia + 1]!;
  const eb = ib < 0 ? -1 : t[ib + 1]!;
  if (!replace && ((ea >= 0 && Math.floor(ea / scale) === fp) || (eb >= 0 && Math.floor(eb / scale) === fp))) return null;
  const at = putSlot(ea, eb, a, b, fp, scale);
  const i = at === a ? ia : ib;
  if (i >= 0) {
    t[i + 1] = entry;
    return t;
  }
  if (len + 2 >= slots) {
    const dense = head(t, from, from + slots);
    dense.fill(-1, from);
    // A pair outside the slots can only come from a table restored under other settings: dropped.
    for (let i = from; i < t.length; i += 2) if (t[i]! >= 0 && t[i]! < slots) dense[from + t[i]!] = t[i + 1]!;
    dense[from + at] = entry;
    return dense;
  }
  const out = head(t, from, t.length + 2);
  for (let i = from; i < t.length; i++) out[i] = t[i]!;
  out[t.length] = at;
  out[t.length + 1] = entry;
  return out;
}

/** A new array of `size` numbers starting with `t`'s first `from`. */
function head(t: readonly number[], from: number, size: number): number[] {
  const out = new Array<number>(size);
  for (let i = 0; i < from; i++) out[i] = t[i]!;
  return out;
}

/** Empties every entry whose payload is below `minPayload` (assocExpire); returns `t`, or a new array when the table shrinks (sparse, or back to sparse). */
export function tableExpire(t: number[], from: number, slots: number, minPayload: number, payloadBits: number): number[] {
  const scale = 2 ** payloadBits;
  if (t.length - from >= slots) {
    for (let i = from; i < t.length; i++) if (t[i]! >= 0 && lowOf(t[i]!, scale) < minPayload) t[i] = -1;
    let used = 0;
    for (let i = from; i < from + slots; i++) if (t[i]! >= 0) used++;
    if (used * 4 > slots) return t;
    const out = head(t, from, from + 2 * used);
    let w = from;
    for (let i = 0; i < slots; i++)
      if (t[from + i]! >= 0) {
        out[w++] = i;
        out[w++] = t[from + i]!;
      }
    return out;
  }
  let kept = 0;
  for (let i = from + 1; i < t.length; i += 2) if (lowOf(t[i]!, scale) >= minPayload) kept++;
  if (from + 2 * kept === t.length) return t;
  const out = head(t, from, from + 2 * kept);
  let w = from;
  for (let i = from; i < t.length; i += 2)
    if (lowOf(t[i + 1]!, scale) >= minPayload) {
      out[w++] = t[i]!;
      out[w++] = t[i + 1]!;
    }
  return out;
}

/** The exact bound of a table: its smallest payload ÷ unit, rounded down; NOTHING_DUE when empty. */
export function lowest(t: readonly number[], from: number, slots: number, payloadBits: number, unit: number): number {
  const scale = 2 ** payloadBits;
  const step = t.length - from >= slots ? 1 : 2;
  let min = Infinity;
  for (let i = step === 1 ? from : from + 1; i < t.length; i += step) {
    const e = t[i]!;
    if (e >= 0 && lowOf(e, scale) < min) min = lowOf(e, scale);
  }
  return min === Infinity ? NOTHING_DUE : Math.floor(min / unit);
}

/** Whether an expiry at `minPayload` could empty anything, given the bound `low`. */
export function isDue(low: number | undefined, minPayload: number, unit: number): boolean {
  return low === undefined || minPayload > low * unit;
}

/** The bound after putting `payload`. */
export function lowered(low: number | undefined, payload: number, unit: number): number | undefined {
  if (low === undefined) return undefined;
  const p = Math.floor(payload / unit);
  return p < low ? p : low;
}
