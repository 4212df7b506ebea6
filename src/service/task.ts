/**
 * A task of the run loop, Kafka Streams style: an engine, the watermark of its input partitions,
 * and what it decided since its last checkpoint. Role `sellers` in transactional mode has one task
 * per input partition p (orders-p + reviews-p), so a rebalance hands over whole tasks; otherwise
 * one task covers every assigned partition. No I/O: the runner writes checkpoints.
 */
import type { Alert, Engine } from '../engine/index.js';
import type { OutRecord } from '../io/kafka/client.js';
import type { TaskMeta } from './changelog.js';
import { PartitionTracker } from './partitions.js';

export class Task {
  readonly partitions: PartitionTracker;
  pendingAlerts: Alert[] = [];
  pendingDeadLetters: OutRecord[] = [];
  /** Sellers changed since the last committed transaction (transactional mode): kept until it commits. */
  readonly changedSellers = new Set<string>();
  /** Something to checkpoint: records processed or alerts decided since the last one. */
  dirty = false;

  constructor(
    readonly meta: Pick<TaskMeta, 'role' | 'partition'>,
    public engine: Engine,
    allowedDisorderMs: number,
    idlePartitionMs: number,
  ) {
    this.partitions = new PartitionTracker(allowedDisorderMs, idlePartitionMs);
  }

  private readonly maxEventTime = (): number | null => this.engine.stats().maxEventTime;

  /** Moves the engine to its partitions' watermark and collects what it decided. */
  advance(): void {
    const wm = this.partitions.watermark(this.maxEventTime);
    if (wm !== undefined && wm > this.engine.watermark) this.engine.advanceWatermark(wm);
    const alerts = this.engine.drainAlerts();
    if (alerts.length > 0) {
      for (const a of alerts) this.pendingAlerts.push(a);
      this.dirty = true;
    }
  }

  /** The meta of a checkpoint written now: the offsets are those it commits. */
  checkpointMeta(): TaskMeta {
    return { ...this.meta, offsets: this.partitions.positions() };
  }

  /** After a committed checkpoint. */
  cleared(): void {
    this.pendingAlerts = [];
    this.pendingDeadLetters = [];
    this.changedSellers.clear();
    this.dirty = false;
  }
}
