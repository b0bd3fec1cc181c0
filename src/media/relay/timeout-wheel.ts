/** What the wheel needs from a watched object. */
export interface WheelEntry {
  /** Tick of the last activity; the hot path writes `wheel.now` here (a field store, no call). */
  lastActivityTick: number;
  /** Inactivity after which the entry expires, in ticks. */
  timeoutTicks: number;
}

/**
 * One coarse hashed timer wheel per media worker, instead of a timer per stream. Each entry sits
 * in exactly one slot, the tick at which it would expire if nothing happened; when that slot
 * comes round the entry either expires (no activity since) or moves to the slot of its new
 * deadline. The cost is O(entries / timeout) per tick and nothing per packet.
 */
export class TimeoutWheel<T extends WheelEntry> {
  /** Current tick; the hot path copies it into `lastActivityTick`. */
  now = 0;
  /** Called on every tick after expiry (the worker's coarse housekeeping, e.g. DTMF flushes). */
  onTick: (() => void) | null = null;
  private readonly slots: Set<T>[];
  private readonly slotOf = new Map<T, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly tickMs: number,
    private readonly onExpire: (entry: T) => void,
    slotCount = 64,
  ) {
    this.slots = Array.from({ length: slotCount }, () => new Set<T>());
  }

  get size(): number {
    return this.slotOf.size;
  }

  /** Starts watching; activity counts from now. */
  add(entry: T): void {
    entry.lastActivityTick = this.now;
    this.place(entry, this.now + Math.max(1, entry.timeoutTicks));
  }

  remove(entry: T): void {
    const slot = this.slotOf.get(entry);
    if (slot === undefined) return;
    this.slots[slot]!.delete(entry);
    this.slotOf.delete(entry);
  }

  /** Advances one tick and expires what is due (called by the interval, or by tests). */
  advance(): void {
    this.now++;
    const index = this.now % this.slots.length;
    const due = this.slots[index]!;
    for (const entry of due) {
      const deadline = entry.lastActivityTick + Math.max(1, entry.timeoutTicks);
      if (deadline <= this.now) {
        due.delete(entry);
        this.slotOf.delete(entry);
        this.onExpire(entry);
      } else {
        // Active since it was placed: move to the slot of its new deadline (never this one).
        due.delete(entry);
        this.place(entry, deadline);
      }
    }
    this.onTick?.();
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.advance();
    }, this.tickMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private place(entry: T, deadline: number): void {
    // A deadline further out than one revolution parks in the slot one revolution ahead and is
    // re-placed when that slot comes round.
    const capped = Math.min(deadline, this.now + this.slots.length - 1);
    const slot = capped % this.slots.length;
    this.slots[slot]!.add(entry);
    this.slotOf.set(entry, slot);
  }
}
