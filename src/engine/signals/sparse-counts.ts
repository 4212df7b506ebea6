/**
 * The counters of a count-min sketch (`sketch/cms.ts`, conservative update) with the same
 * answers, stored two to a number while they fit. Values are whole numbers (adds are by whole
 * numbers), so each number holds two 26-bit fields, low then high (52 bits, exact in a double).
 * With n = width × depth counters there are three forms, told apart by their length:
 *
 * - sparse, fewer than ceil(n / 2) numbers: one field per non-zero counter, value × n + counter,
 *   fewer than n / 2 of them, in the order they were added (0: the unused high field of the last
 *   number). A small seller's few buyers touch a handful of the counters;
 * - dense, ceil(n / 2) numbers: counter i in field i;
 * - wide, n numbers or more: one counter per number, once a value no longer fits a field (or
 *   restored after the config lowered n: read as wide, never misread).
 *
 * The table turns dense when half of the counters are in use (adds then stop copying, and a scan
 * of the sparse fields would cost more than an index). Two fields a number halve the numbers a
 * seller holds: 8 bytes each, and most sellers hold a few dozen counters.
 *
 * The counters may follow `from` numbers of the caller's own in the same array (kept, and copied
 * when an add makes a new array): one array instead of two, and the caller's fractions unboxed.
 */
import { cmsCell } from '../sketch/cms.js';
import { EMPTY } from '../sketch/lists.js';

/** The counters (after the caller's own numbers, if any): no counters is all zero. */
export type Counts = readonly number[];

/** One field's range: values and sparse entries stay below it. */
const FIELD = 2 ** 26;

/** Numbers of the dense form. */
function denseLength(n: number): number {
  return (n + 1) >> 1;
}

/** Field `i` of the numbers from `from` on. */
function field(t: Counts, from: number, i: number): number {
  const x = t[from + (i >> 1)]!;
  return (i & 1) === 0 ? x % FIELD : Math.floor(x / FIELD);
}

function setField(t: number[], from: number, i: number, v: number): void {
  const at = from + (i >> 1);
  const x = t[at]!;
  t[at] = (i & 1) === 0 ? x - (x % FIELD) + v : (x % FIELD) + v * FIELD;
}

/** Sparse entries in `len` numbers: two a number, one in the last when its high field is 0. */
function entries(t: Counts, from: number, len: number): number {
  return len === 0 ? 0 : 2 * len - (t[from + len - 1]! < FIELD ? 1 : 0);
}

function valueAt(t: Counts, n: number, cell: number, from: number): number {
  const len = t.length - from;
  if (len >= n) return t[from + cell]!;
  if (len === denseLength(n)) return field(t, from, cell);
  const e = entries(t, from, len);
  for (let i = 0; i < e; i++) {
    const x = field(t, from, i);
    if (x % n === cell) return (x - cell) / n;
  }
  return 0;
}

/** cmsEstimate: the smallest of the key's counters (which start at `from`). */
export function countsEstimate(t: Counts, width: number, depth: number, h1: number, h2: number, from = 0): number {
  const n = width * depth;
  let min = Infinity;
  for (let r = 0; r < depth; r++) {
    const v = valueAt(t, n, cmsCell(width, r, h1, h2), from);
    if (v < min) min = v;
  }
  return min;
}

/** Each row's counter of the key and where a sparse table holds it (−1: not held), for one add; depth ≤ 8. */
const cells = new Int32Array(8);
const held = new Int32Array(8);

/**
 * The numbers from `from` on in the dense form (or wide, when a value does not fit a field) of
 * these counter values, after a copy of the head.
 */
function packDense(head: Counts, from: number, values: readonly number[]): number[] {
  const n = values.length;
  let wide = false;
  for (let i = 0; i < n; i++) if (values[i]! >= FIELD) wide = true;
  const out = new Array<number>(from + (wide ? n : denseLength(n))).fill(0);
  for (let i = 0; i < from; i++) out[i] = head[i]!;
  for (let i = 0; i < n; i++) {
    if (wide) out[from + i] = values[i]!;
    else setField(out, from, i, values[i]!);
  }
  return out;
}

/** All n counter values of the numbers from `from` on (any form). */
function unpack(t: Counts, n: number, from: number): number[] {
  const values = new Array<number>(n).fill(0);
  const len = t.length - from;
  if (len >= n) for (let i = 0; i < n; i++) values[i] = t[from + i]!;
  else if (len === denseLength(n)) for (let i = 0; i < n; i++) values[i] = field(t, from, i);
  else
    for (let i = 0, e = entries(t, from, len); i < e; i++) {
      const x = field(t, from, i);
      values[x % n] = (x - (x % n)) / n;
    }
  return values;
}

/**
 * cmsAdd with a whole `inc` > 0: raises only the key's counters (which start at `from`) below the
 * new estimate. Returns the array (a new one when a sparse one grows or the form changes).
 */
export function countsAdd(t: Counts, width: number, depth: number, h1: number, h2: number, inc = 1, from = 0): Counts {
  const n = width * depth;
  for (let r = 0; r < depth; r++) cells[r] = cmsCell(width, r, h1, h2);
  const len = t.length - from;
  if (len >= n) {
    let est = Infinity;
    for (let r = 0; r < depth; r++) if (t[from + cells[r]!]! < est) est = t[from + cells[r]!]!;
    est += inc;
    for (let r = 0; r < depth; r++) if (t[from + cells[r]!]! < est) (t as number[])[from + cells[r]!] = est;
    return t;
  }
  if (len === denseLength(n)) {
    let est = Infinity;
    for (let r = 0; r < depth; r++) est = Math.min(est, field(t, from, cells[r]!));
    est += inc;
    if (est >= FIELD) return raised(t, n, depth, from, est);
    for (let r = 0; r < depth; r++) if (field(t, from, cells[r]!) < est) setField(t as number[], from, cells[r]!, est);
    return t;
  }
  // Sparse: one pass finds the key's counters (a counter per field, so each field is read once).
  const e = entries(t, from, len);
  for (let r = 0; r < depth; r++) held[r] = -1;
  for (let i = 0; i < e; i++) {
    const c = field(t, from, i) % n;
    for (let r = 0; r < depth; r++) if (c === cells[r]) held[r] = i;
  }
  let est = Infinity;
  let added = 0;
  for (let r = 0; r < depth; r++) {
    const at = held[r]!;
    const v = at < 0 ? 0 : (field(t, from, at) - cells[r]!) / n;
    if (v < est) est = v;
    if (at < 0) added++;
  }
  est += inc;
  if (2 * (e + added) >= n || est * n + n > FIELD) return raised(t, n, depth, from, est);
  // Raise the counters held in place, then add the new ones (each row has its own) with one new array.
  for (let r = 0; r < depth; r++) {
    const at = held[r]!;
    if (at >= 0 && field(t, from, at) < est * n + cells[r]!) setField(t as number[], from, at, est * n + cells[r]!);
  }
  if (added === 0) return t;
  // One new counter after an odd count of entries takes the free high field of the last number.
  if (from + ((e + added + 1) >> 1) === t.length) {
    for (let r = 0; r < depth; r++) if (held[r]! < 0) setField(t as number[], from, e, est * n + cells[r]!);
    return t;
  }
  const out = new Array<number>(from + ((e + added + 1) >> 1)).fill(0);
  for (let i = 0; i < t.length; i++) out[i] = t[i]!;
  let w = e;
  for (let r = 0; r < depth; r++) if (held[r]! < 0) setField(out, from, w++, est * n + cells[r]!);
  return out;
}

/** The counters in the dense (or wide) form with the key's counters (cells) raised to `est`. */
function raised(t: Counts, n: number, depth: number, from: number, est: number): number[] {
  const values = unpack(t, n, from);
  for (let r = 0; r < depth; r++) if (values[cells[r]!]! < est) values[cells[r]!] = est;
  return packDense(t, from, values);
}

/**
 * Counters stored one to a number (sparse, value × n + counter for each non-zero one, in the order
 * they were added; or one per counter), as earlier snapshots hold them, in this layout after `head`.
 */
export function countsFromSingles(t: Counts, width: number, depth: number, head: Counts = EMPTY): number[] {
  const n = width * depth;
  const from = head.length;
  // More numbers than counters: restored after the config lowered them, kept as they are.
  if (t.length > n) return [...head, ...t];
  if (t.length === n) return packDense(head, from, t);
  let fits = 2 * t.length < n;
  for (let i = 0; i < t.length; i++) if (t[i]! >= FIELD) fits = false;
  if (!fits) return packDense(head, from, sparseValues(t, n));
  const out = new Array<number>(from + ((t.length + 1) >> 1)).fill(0);
  for (let i = 0; i < from; i++) out[i] = head[i]!;
  for (let i = 0; i < t.length; i++) setField(out, from, i, t[i]!);
  return out;
}

/** The n counter values of one-to-a-number sparse entries. */
function sparseValues(t: Counts, n: number): number[] {
  const values = new Array<number>(n).fill(0);
  for (const x of t) values[x % n] = (x - (x % n)) / n;
  return values;
}

/**
 * Counters in the layout of snapshots older still (sparse [counter, value] pairs, or dense), in this
 * one after `head`. A pair outside the counters can only come from counters restored under other
 * settings: dropped.
 */
export function countsFromPairs(t: Counts, width: number, depth: number, head: Counts = EMPTY): number[] {
  const n = width * depth;
  // Dense is one counter per number in both; fewer than n numbers are fewer than n / 2 pairs.
  if (t.length >= n) return countsFromSingles(t, width, depth, head);
  const singles: number[] = [];
  for (let i = 0; i < t.length; i += 2) if (t[i]! >= 0 && t[i]! < n) singles.push(t[i + 1]! * n + t[i]!);
  return countsFromSingles(singles, width, depth, head);
}
