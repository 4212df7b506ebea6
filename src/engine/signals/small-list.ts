/**
 * Capped lists of numbers that stay exact-size while short. V8 gives a pushed-to array 16 or more spare
 * slots, which for the one or two items most sellers hold costs more than the items; a busy
 * seller's long list is pushed to in place, where the spare slots are a small share and copying
 * on every append would cost more.
 */
import { appendCappedNumbers } from '../sketch/lists.js';

/** Lists shorter than this are replaced by exact-size copies. */
const SMALL = 16;

/** `list` plus `v` at the end, at most `cap` items (the oldest leave): a new array while short, else `list` itself. */
export function pushCapped(list: readonly number[], v: number, cap: number): number[] {
  if (list.length < SMALL) return appendCappedNumbers(list, v, cap);
  const l = list as number[];
  while (l.length >= cap) l.shift();
  l.push(v);
  return l;
}
