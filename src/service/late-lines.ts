/**
 * Late events are worth a warn line with what decided the released point, but a client that
 * delivers late does so batch after batch: a line per batch would flood the log. So one line per
 * input partition per interval, carrying the count since that partition's last line. Keys are
 * input partitions, a bounded set.
 */
export class LateLines {
  private readonly partitions = new Map<string, { at: number; unlogged: number }>();

  constructor(private readonly intervalMs: number) {}

  /** Counts a batch's late events; returns how many to report if the partition's line is due now, else 0. */
  add(key: string, late: number, now: number): number {
    const p = this.partitions.get(key);
    if (p === undefined) {
      this.partitions.set(key, { at: now, unlogged: 0 });
      return late;
    }
    p.unlogged += late;
    if (now - p.at < this.intervalMs) return 0;
    const n = p.unlogged;
    p.at = now;
    p.unlogged = 0;
    return n;
  }
}
