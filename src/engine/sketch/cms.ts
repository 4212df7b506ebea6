/**
 * Count-min sketch with conservative update, as plain JSON-able data. Estimates never
 * under-count; with width w and depth d the over-count is at most e·N/w with probability
 * 1 − e^−d (N = total added). `cmsScale` decays all counters at once (for decayed rates such as
 * MIDAS-R). Callers pass two independent 32-bit hashes of the key (hash32, hash32b) so a key is
 * hashed once however many rows there are.
 */

export interface CmsState {
  readonly width: number;
  readonly depth: number;
  /** depth rows of width counters, row-major. */
  readonly counts: number[];
}

export function cmsCreate(width: number, depth: number): CmsState {
  return { width, depth, counts: new Array<number>(width * depth).fill(0) };
}

/** The counter of `row` for a key (exported for signals/sparse-counts.ts, which stores the same counters sparsely). */
export function cmsCell(width: number, row: number, h1: number, h2: number): number {
  // Kirsch–Mitzenmacher double hashing: row i uses h1 + i·h2.
  return row * width + ((((h1 + Math.imul(row, h2)) >>> 0) % width) >>> 0);
}

function cell(s: CmsState, row: number, h1: number, h2: number): number {
  return cmsCell(s.width, row, h1, h2);
}

/** Adds `inc` (> 0) to the key; conservative update raises only the cells at the minimum. */
export function cmsAdd(s: CmsState, h1: number, h2: number, inc = 1): number {
  const est = cmsEstimate(s, h1, h2) + inc;
  for (let r = 0; r < s.depth; r++) {
    const c = cell(s, r, h1, h2);
    if (s.counts[c]! < est) s.counts[c] = est;
  }
  return est;
}

export function cmsEstimate(s: CmsState, h1: number, h2: number): number {
  let min = Infinity;
  for (let r = 0; r < s.depth; r++) {
    const v = s.counts[cell(s, r, h1, h2)]!;
    if (v < min) min = v;
  }
  return min;
}

/** Multiplies every counter by `factor` (0 clears, 0.5 halves). */
export function cmsScale(s: CmsState, factor: number): void {
  for (let i = 0; i < s.counts.length; i++) s.counts[i] = s.counts[i]! * factor;
}
