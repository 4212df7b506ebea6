/**
 * What the run loop knows about each assigned input partition: read position, committed offset,
 * high watermark, max event time, last activity. From that it derives the watermark (min over
 * partitions − allowed disorder, idle partitions excepted), the offsets to commit and the lag.
 * No I/O; wall time is passed in.
 */
import { PartitionWatermarks } from '../engine/index.js';
import type { PartitionOffset } from '../io/kafka/client.js';

export interface PartitionState {
  readonly topic: string;
  readonly partition: number;
  readonly key: string;
  /** Next offset to read / commit (last processed + 1); -1 unknown. */
  next: number;
  /** Next offset already committed; -1 none. */
  committed: number;
  high: number;
  /** Wall time a lookup first saw `high` (or of the assignment). */
  highSince: number;
  /** Wall time of the last record, or of the assignment. */
  lastRecordAt: number;
  /** Has delivered an accepted event since the assignment. */
  seen: boolean;
  /** `high` and `next` are known (from a batch, or looked up). */
  known: boolean;
  /** Decided by `refresh` only, against a freshly looked-up high watermark; cleared by records. */
  idle: boolean;
}

/**
 * A partition counts as caught up when at most this many offsets are unread: a transaction's
 * commit marker takes an offset that is never delivered. The one offset counts as a marker only
 * once it has stayed unread for idlePartitionMs (`refresh`).
 */
export const CAUGHT_UP_SLACK = 1;

/** The topic and partition of a `topic/partition` key. */
export function splitKey(key: string): { topic: string; partition: number } {
  const cut = key.lastIndexOf('/');
  return { topic: key.slice(0, cut), partition: Number(key.slice(cut + 1)) };
}

export class PartitionTracker {
  private readonly parts = new Map<string, PartitionState>();
  private readonly watermarks: PartitionWatermarks;
  /** Some partition is marked idle: lets `processed` skip the scan in the common case. */
  private anyIdle = false;
  /** While a partition is idle, the watermark stays at or below this (`refresh`). */
  private idleCap = -Infinity;
  /** `latestBefore` of the last refresh: the next one caps idle partitions with it. */
  private previousLatest = -Infinity;

  constructor(
    private readonly allowedDisorderMs: number,
    private readonly idlePartitionMs: number,
  ) {
    this.watermarks = new PartitionWatermarks(allowedDisorderMs);
  }

  /** Applies a new assignment: keeps known partitions, adds new ones, forgets revoked ones. */
  assign(assignment: Readonly<Record<string, readonly number[]>>, now: number): string[] {
    const keep = new Set<string>();
    for (const [topic, parts] of Object.entries(assignment)) for (const partition of parts) keep.add(this.get(topic, partition, now).key);
    for (const key of [...this.parts.keys()]) {
      if (!keep.has(key)) {
        this.parts.delete(key);
        this.watermarks.remove(key);
      }
    }
    return [...keep].sort();
  }

  /** The state of a partition, created (unknown position) on first sight. */
  get(topic: string, partition: number, now: number): PartitionState {
    const key = `${topic}/${partition}`;
    let p = this.parts.get(key);
    if (p === undefined) {
      p = { topic, partition, key, next: -1, committed: -1, high: -1, highSince: now, lastRecordAt: now, seen: false, known: false, idle: false };
      this.parts.set(key, p);
    }
    return p;
  }

  /** Partitions whose committed offset is still needed (never fetched from since the assignment). */
  unknown(): PartitionState[] {
    return [...this.parts.values()].filter((p) => !p.known);
  }

  /** Committed offset looked up for an unknown partition; ignored once a batch told more. */
  setCommitted(topic: string, partition: number, committed: number, low: number): void {
    const p = this.parts.get(`${topic}/${partition}`);
    if (p === undefined || p.known) return;
    p.next = committed >= 0 ? committed : low;
    p.committed = committed;
    p.known = true;
  }

  /**
   * Decides which partitions are idle, from freshly looked-up high watermarks (keyed
   * `topic/partition`): caught up with the fresh high and without records for `idlePartitionMs`.
   * A high watermark seen in an old batch is not enough: records fetched for a partition wait
   * while other partitions' batches are processed, and treating that partition as idle would turn
   * them late. One unread offset (CAUGHT_UP_SLACK) counts as caught up only once a lookup has seen
   * that high for `idlePartitionMs`: it is a commit marker, which is never delivered, or a record
   * just written, which is. Judged at once, the first record after a long pause (a partition's
   * first review) was found late in `test/integration/scale-out.test.ts`.
   *
   * `latestBefore` is the latest event time processed when this lookup started (-Infinity if
   * none). An idle partition releases the watermark only up to the `latestBefore` of the lookup
   * before this one, − allowedDisorderMs, until the next lookup. Not this lookup's own: one
   * produce request writes its partitions one after another, so a record processed from one
   * partition before the lookup started can belong to a request whose records for the idle
   * partition the lookup did not see yet; the records of that request come earlier in the
   * producer's order than later ones, and may be older than it by more than the allowed
   * disorder. A whole tick between the sample and the lookup covers such a request.
   */
  refresh(highs: ReadonlyMap<string, number>, now: number, latestBefore: number): void {
    this.anyIdle = false;
    this.idleCap = this.previousLatest - this.allowedDisorderMs;
    this.previousLatest = latestBefore;
    for (const p of this.parts.values()) {
      const high = highs.get(p.key);
      if (high !== undefined && high > p.high) {
        p.high = high;
        p.highSince = now;
      }
      const unread = p.high - p.next;
      p.idle =
        high !== undefined &&
        p.known &&
        now - p.lastRecordAt >= this.idlePartitionMs &&
        (unread <= 0 || (unread <= CAUGHT_UP_SLACK && now - p.highSince >= this.idlePartitionMs));
      if (p.idle) this.anyIdle = true;
    }
  }

  /**
   * After a processed batch: its next offset, the high watermark it saw, its max accepted event
   * time. Records arriving make every idle verdict stale: after a pause the producers' records
   * reach all partitions together, and a partition still marked idle while another one's fresh
   * records move the watermark would find its own records late. Only the next `refresh` (a fresh
   * lookup) may release them again.
   */
  processed(p: PartitionState, next: number, high: number, maxEventTime: number, now: number): void {
    if (this.anyIdle) {
      for (const q of this.parts.values()) q.idle = false;
      this.anyIdle = false;
    }
    p.next = next;
    p.high = high;
    p.known = true;
    p.idle = false;
    p.lastRecordAt = now;
    if (maxEventTime !== -Infinity) {
      p.seen = true;
      this.watermarks.observe(p.key, maxEventTime);
    }
  }

  /**
   * The watermark, or undefined while it must not move: min over partitions of their max event
   * time − allowed disorder, idle partitions (see `refresh`) excepted. A partition with a backlog
   * holds it however long it waits to be fetched (its records may be older than everything
   * seen); so does one that has not delivered and is not known to be idle. `maxEventTime` gives
   * the engine's latest accepted event time; it is asked only when every partition is idle.
   */
  watermark(maxEventTime: () => number | null): number | undefined {
    let allIdle = true;
    for (const p of this.parts.values()) {
      if (!p.idle) allIdle = false;
      if (!p.seen) {
        if (!p.idle) return undefined;
        continue;
      }
      this.watermarks.setIdle(p.key, p.idle);
    }
    let wm = this.watermarks.watermark();
    // Everything produced so far has been read: the latest event time anywhere counts, also the
    // one restored from a snapshot when no partition has delivered since the restart.
    if (allIdle && this.parts.size > 0) {
      const max = maxEventTime();
      if (max !== null) wm = Math.max(wm ?? -Infinity, max - this.allowedDisorderMs);
    }
    return this.anyIdle && wm !== undefined ? Math.min(wm, this.idleCap) : wm;
  }

  /**
   * The positions a restored state is as of (`positions()` of its checkpoint): they count as
   * committed, so records below them are skipped.
   */
  resumeFrom(positions: Readonly<Record<string, number>>, now: number): void {
    for (const [key, offset] of Object.entries(positions)) {
      const { topic, partition } = splitKey(key);
      this.get(topic, partition, now);
      this.setCommitted(topic, partition, offset, 0);
    }
  }

  /** Offsets processed but not committed yet. */
  uncommitted(): PartitionOffset[] {
    const out: PartitionOffset[] = [];
    for (const p of this.parts.values()) if (p.next > p.committed) out.push({ topic: p.topic, partition: p.partition, offset: String(p.next) });
    return out;
  }

  /** Next offset to read of every partition whose position is known, keyed `topic/partition`. */
  positions(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const p of this.parts.values()) if (p.known && p.next >= 0) out[p.key] = p.next;
    return out;
  }

  committed(offsets: readonly PartitionOffset[]): void {
    for (const o of offsets) {
      const p = this.parts.get(`${o.topic}/${o.partition}`);
      if (p !== undefined) p.committed = Number(o.offset);
    }
  }

  /** Each partition's position, high watermark and verdicts, for a log line. */
  describe(): { key: string; next: number; high: number; seen: boolean; idle: boolean }[] {
    return [...this.parts.values()].map((p) => ({ key: p.key, next: p.next, high: p.high, seen: p.seen, idle: p.idle }));
  }

  *lag(): Iterable<{ topic: string; partition: number; lag: number }> {
    for (const p of this.parts.values()) {
      if (p.high < 0) continue;
      yield { topic: p.topic, partition: p.partition, lag: Math.max(0, p.high - Math.max(0, p.committed)) };
    }
  }
}
