/**
 * Exactly-once by eventId, with bounded memory. Ids are kept in event-time slots (one Set per
 * slot); a slot is dropped whole once the watermark has passed its end by the horizon, and the
 * oldest slots go first when the hard cap is reached. Deterministic: what is remembered depends
 * only on the event times and the watermark, never on the wall clock. The contract makes an
 * eventId one event, so a redelivery carries the same eventTime and lands in the same slot.
 */
export interface DedupSnapshot {
  readonly slots: ReadonlyArray<readonly [number, readonly string[]]>;
  readonly droppedEarly: number;
}

export class Dedup {
  private readonly slots = new Map<number, Set<string>>();
  /** Slot starts in ascending order (slots are created mostly in time order). */
  private readonly order: number[] = [];
  private size = 0;
  private lastStart = NaN;
  private lastSet: Set<string> | undefined = undefined;
  /** Slots dropped by the cap before their horizon: duplicates of those may pass. */
  droppedEarly = 0;

  constructor(
    private readonly slotMs: number,
    private readonly horizonMs: number,
    private readonly maxIds: number,
  ) {}

  get ids(): number {
    return this.size;
  }

  /** True if the id was already seen; otherwise remembers it. */
  seen(eventId: string, eventTime: number): boolean {
    const start = eventTime - (eventTime % this.slotMs);
    // Consecutive events nearly always share a slot: skip the map lookup then.
    let set = start === this.lastStart ? this.lastSet : this.slots.get(start);
    if (set === undefined) {
      set = new Set();
      this.slots.set(start, set);
      this.insertOrder(start);
    } else if (set.has(eventId)) return true;
    this.lastStart = start;
    this.lastSet = set;
    set.add(eventId);
    if (++this.size > this.maxIds) this.dropOldest();
    return false;
  }

  /** Forgets slots that ended more than the horizon before the watermark. */
  expire(watermark: number): void {
    const limit = watermark - this.horizonMs;
    while (this.order.length > 0 && this.order[0]! + this.slotMs <= limit) this.dropFirst();
  }

  snapshot(): DedupSnapshot {
    return { slots: this.order.map((s) => [s, [...this.slots.get(s)!]] as const), droppedEarly: this.droppedEarly };
  }

  restore(snap: DedupSnapshot): void {
    for (const [start, ids] of snap.slots) {
      this.slots.set(start, new Set(ids));
      this.insertOrder(start);
      this.size += ids.length;
    }
    this.droppedEarly = snap.droppedEarly;
  }

  private insertOrder(start: number): void {
    const o = this.order;
    let i = o.length;
    while (i > 0 && o[i - 1]! > start) i--;
    o.splice(i, 0, start);
  }

  private dropOldest(): void {
    // Never drop the slot just written to: with a single slot the cap is simply exceeded.
    if (this.order.length > 1) {
      this.dropFirst();
      this.droppedEarly++;
    }
  }

  private dropFirst(): void {
    const start = this.order.shift()!;
    if (start === this.lastStart) this.lastSet = undefined;
    this.size -= this.slots.get(start)!.size;
    this.slots.delete(start);
  }
}
