/**
 * Per-hour event counts over a short recent span, as plain data (JSON-able). It behaves exactly
 * like a ring of `slots` hours with `lanes` counters each (an hour is forgotten when a later hour
 * with the same slot, hour mod slots, is counted), but holds only the hours that had events: one
 * exact-size array of [hour, lane counts…] per such hour, oldest first. A seller with an event
 * now and then keeps a few numbers instead of slots × (lanes + 1). Signals keep counts by event
 * hour rather than "since the last evaluation" because the core may hand them events past the
 * bucket it is closing (the watermark runs ahead of bucket ends by the grace period).
 *
 * The hours may follow `head` numbers of the caller's own in the same array (kept, and copied
 * when an hour is added or dropped): one array instead of two.
 */

export const HOUR_MS = 3_600_000;

/** [hour, lane 0, …, lane lanes−1] per hour with events, oldest first. */
export type HourCounts = readonly number[];

/** No hours yet: shared, never mutated (addAt returns a new array when an hour is added). */
export const NO_HOURS: HourCounts = Object.freeze([]);

/**
 * Adds `n` to `lane` at event time `t`; returns the counts (a new array when the hour is new).
 * A time older than the hour its slot holds is ignored, as a ring would.
 */
export function addAt(h: HourCounts, slots: number, lanes: number, t: number, lane: number, n = 1, head = 0): HourCounts {
  const hour = Math.floor(t / HOUR_MS);
  const stride = lanes + 1;
  const slot = hour % slots;
  let same = -1;
  for (let i = h.length - stride; i >= head; i -= stride) {
    const held = h[i]!;
    if (held === hour) {
      (h as number[])[i + 1 + lane]! += n;
      return h;
    }
    if (held % slots === slot) same = i;
  }
  if (same >= 0 && h[same]! > hour) return h;
  // The new hour takes its slot: the older hour there (if any) is forgotten.
  const out = new Array<number>(h.length + (same >= 0 ? 0 : stride));
  for (let i = 0; i < head; i++) out[i] = h[i]!;
  let w = head;
  let placed = false;
  for (let i = head; i < h.length; i += stride) {
    if (i === same) continue;
    if (!placed && h[i]! > hour) {
      w = put(out, w, hour, stride, lane, n);
      placed = true;
    }
    for (let j = 0; j < stride; j++) out[w++] = h[i + j]!;
  }
  if (!placed) put(out, w, hour, stride, lane, n);
  return out;
}

function put(out: number[], w: number, hour: number, stride: number, lane: number, n: number): number {
  out[w] = hour;
  for (let j = 1; j < stride; j++) out[w + j] = j === lane + 1 ? n : 0;
  return w + stride;
}

/**
 * The counts without the hours before `hour` (hours since the epoch): a new exact-size array, or
 * the shared empty one when nothing is left (no numbers of the caller's own either).
 */
export function dropHoursBefore(h: HourCounts, lanes: number, hour: number, head = 0): HourCounts {
  const stride = lanes + 1;
  let keep = head;
  while (keep < h.length && h[keep]! < hour) keep += stride;
  if (keep === h.length && head === 0) return NO_HOURS;
  const out = new Array<number>(head + h.length - keep);
  for (let i = 0; i < head; i++) out[i] = h[i]!;
  for (let i = keep; i < h.length; i++) out[head + i - keep] = h[i]!;
  return out;
}

/** The sum of `lane` over the hours that start in [from, to). */
export function sumBetween(h: HourCounts, lanes: number, from: number, to: number, lane: number, head = 0): number {
  const stride = lanes + 1;
  let sum = 0;
  for (let i = head; i < h.length; i += stride) {
    const start = h[i]! * HOUR_MS;
    if (start >= from && start < to) sum += h[i + 1 + lane]!;
  }
  return sum;
}

/** The count of `lane` in the one hour that starts at `hourStart`, 0 if no longer held. */
export function countInHour(h: HourCounts, lanes: number, hourStart: number, lane: number, head = 0): number {
  const hour = Math.floor(hourStart / HOUR_MS);
  const stride = lanes + 1;
  for (let i = head; i < h.length; i += stride) if (h[i] === hour) return h[i + 1 + lane]!;
  return 0;
}

/**
 * The strength curve the signals share: 0.5 at the threshold, rising linearly to 1 at `full`
 * (a value at the threshold is a finding, but a weak one).
 */
export function rampStrength(value: number, threshold: number, full: number): number {
  if (full <= threshold) return 1;
  return 0.5 + 0.5 * Math.min(1, Math.max(0, (value - threshold) / (full - threshold)));
}

/** Counts in the ring layout of earlier snapshots ({ hours, counts }), read into this one. */
export function fromRing(ring: { readonly hours: readonly number[]; readonly counts: readonly number[] }, lanes: number): HourCounts {
  const order: number[] = [];
  for (let slot = 0; slot < ring.hours.length; slot++) if (ring.hours[slot]! >= 0) order.push(slot);
  order.sort((a, b) => ring.hours[a]! - ring.hours[b]!);
  const out: number[] = [];
  for (const slot of order) {
    out.push(ring.hours[slot]!);
    for (let j = 0; j < lanes; j++) out.push(ring.counts[slot * lanes + j]!);
  }
  return out;
}
