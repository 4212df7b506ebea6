/**
 * Per-hour event counts over a short recent span, as plain data (JSON-able) with a fixed size:
 * a ring of `slots` hours, each with `lanes` counters. Signals keep counts by event hour rather
 * than "since the last evaluation" because the core may hand them events past the bucket it is
 * closing (the watermark runs ahead of bucket ends by the grace period).
 */

export const HOUR_MS = 3_600_000;

export interface HourCounts {
  /** The hour number (event time ÷ 1 h) each slot holds, −1 when empty. */
  readonly hours: number[];
  /** `lanes` counters per slot, slot-major. */
  readonly counts: number[];
}

export function createHourCounts(slots: number, lanes: number): HourCounts {
  return { hours: new Array<number>(slots).fill(-1), counts: new Array<number>(slots * lanes).fill(0) };
}

/** Adds `n` to `lane` at event time `t`; a time older than the whole ring is ignored. */
export function addAt(h: HourCounts, lanes: number, t: number, lane: number, n = 1): void {
  const hour = Math.floor(t / HOUR_MS);
  const slot = hour % h.hours.length;
  const held = h.hours[slot]!;
  if (held !== hour) {
    if (held > hour) return;
    h.hours[slot] = hour;
    for (let i = 0; i < lanes; i++) h.counts[slot * lanes + i] = 0;
  }
  h.counts[slot * lanes + lane]! += n;
}

/** The sum of `lane` over the hours that start in [from, to). */
export function sumBetween(h: HourCounts, lanes: number, from: number, to: number, lane: number): number {
  let sum = 0;
  for (let slot = 0; slot < h.hours.length; slot++) {
    const start = h.hours[slot]! * HOUR_MS;
    if (h.hours[slot]! >= 0 && start >= from && start < to) sum += h.counts[slot * lanes + lane]!;
  }
  return sum;
}

/** The count of `lane` in the one hour that starts at `hourStart`, 0 if the ring no longer has it. */
export function countInHour(h: HourCounts, lanes: number, hourStart: number, lane: number): number {
  const hour = Math.floor(hourStart / HOUR_MS);
  const slot = hour % h.hours.length;
  return h.hours[slot] === hour ? h.counts[slot * lanes + lane]! : 0;
}

/**
 * The strength curve the signals share: 0.5 at the threshold, rising linearly to 1 at `full`
 * (a value at the threshold is a finding, but a weak one).
 */
export function rampStrength(value: number, threshold: number, full: number): number {
  if (full <= threshold) return 1;
  return 0.5 + 0.5 * Math.min(1, Math.max(0, (value - threshold) / (full - threshold)));
}
