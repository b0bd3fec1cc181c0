/**
 * The recorder-bound delay line (docs/architecture.md, "The delay line"). Frames of both
 * directions are held D ms in preallocated rings, then released in call-time order; each frame
 * is decided when it leaves, against the gate's timeline as known by then. A pause back-dated
 * to an onset up to D earlier (hold music recognised late) therefore drops every frame from that
 * onset on, and a back-dated resume (music ended earlier than it was recognised) keeps the
 * buffered frames that followed it: they flush in order. Nothing is allocated per frame: frames
 * are copied into ring slots and handed to the sink as preallocated slot views.
 */

/** `caller`: what the caller says; `agent`: what the PBX/agent sends to the caller. */
export type Direction = 'caller' | 'agent';

/** 20 ms of 8 kHz PCM16 mono. */
export const FRAME_SAMPLES = 160;
export const FRAME_MS = 20;

/** What the delay line needs from the gate. */
export interface PauseTimeline {
  isPausedAt(tMs: number): boolean;
}

export interface DelayLineSink {
  /**
   * A released frame, tagged with its call time (ms). `pcm` is a view of a ring slot, valid
   * only during the call: copy it.
   */
  frame(direction: Direction, callTimeMs: number, pcm: Int16Array): void;
  /** A frame dropped because the gate was paused at its call time (optional). */
  dropped?(direction: Direction, callTimeMs: number): void;
}

export interface DelayLineOptions {
  /** D, ms. Per queue; default 2500; 0 allowed (frames are decided as they arrive). */
  delayMs?: number;
  /** Extra slots per direction beyond D / 20 ms, for arrival jitter. Default 100 (2 s). */
  slackFrames?: number;
}

export interface DelayLineStats {
  released: number;
  dropped: number;
  /** Frames dropped because a ring was full (never recorded: fail closed). */
  overflow: number;
}

class FrameRing {
  readonly samples: Int16Array;
  readonly times: Float64Array;
  readonly views: Int16Array[];
  head = 0;
  count = 0;

  constructor(readonly capacity: number) {
    this.samples = new Int16Array(capacity * FRAME_SAMPLES);
    this.times = new Float64Array(capacity);
    this.views = [];
    for (let i = 0; i < capacity; i++) {
      this.views.push(this.samples.subarray(i * FRAME_SAMPLES, (i + 1) * FRAME_SAMPLES));
    }
  }

  headTime(): number {
    return this.count === 0 ? Infinity : this.times[this.head]!;
  }

  /** Copies `pcm` (≤ 160 samples, zero-padded) into the tail slot. */
  write(tMs: number, pcm: Int16Array): void {
    const slot = (this.head + this.count) % this.capacity;
    const view = this.views[slot]!;
    const n = Math.min(pcm.length, FRAME_SAMPLES);
    view.set(n === pcm.length ? pcm : pcm.subarray(0, n));
    if (n < FRAME_SAMPLES) view.fill(0, n);
    this.times[slot] = tMs;
    this.count++;
  }

  shift(): void {
    this.head = (this.head + 1) % this.capacity;
    this.count--;
  }
}

/** Per-call delay line for both directions. */
export class DelayLine {
  readonly delayMs: number;
  private readonly rings: Record<Direction, FrameRing>;
  private readonly counters: DelayLineStats = { released: 0, dropped: 0, overflow: 0 };
  /** Every frame captured at or before this has been released. */
  private releasedUpToMs = -Infinity;

  constructor(
    private readonly timeline: PauseTimeline,
    private readonly sink: DelayLineSink,
    options: DelayLineOptions = {},
  ) {
    this.delayMs = Math.max(0, options.delayMs ?? 2500);
    const capacity = Math.ceil(this.delayMs / FRAME_MS) + Math.max(1, options.slackFrames ?? 100);
    this.rings = { caller: new FrameRing(capacity), agent: new FrameRing(capacity) };
  }

  get stats(): DelayLineStats {
    return { ...this.counters };
  }

  /** Frames currently held (both directions). */
  get buffered(): number {
    return this.rings.caller.count + this.rings.agent.count;
  }

  /**
   * Accepts one frame (copied) and releases what is due at `nowMs` (default: the frame's own
   * call time). Per direction, frames must come in call-time order (as the tap produces them).
   */
  push(direction: Direction, callTimeMs: number, pcm: Int16Array, nowMs = callTimeMs): void {
    this.accept(direction, callTimeMs, pcm);
    this.release(nowMs);
  }

  /**
   * Accepts one frame (copied) and releases nothing: a call takes in all that arrived, decides on
   * it, and only then releases (`release`), so that a decision reaches every frame the line held
   * when it was taken. Per direction, frames must come in call-time order.
   */
  accept(direction: Direction, callTimeMs: number, pcm: Int16Array): void {
    const ring = this.rings[direction];
    if (ring.count === ring.capacity) {
      ring.shift();
      this.counters.overflow++;
    }
    ring.write(callTimeMs, pcm);
  }

  /** Releases, in call-time order across both directions, every frame captured ≤ now − D. */
  release(nowMs: number): void {
    this.drain(nowMs - this.delayMs);
  }

  /**
   * What the line may still hold: every frame captured after this call time (ms), as of its last
   * release. A decision can reach back to it, and no further.
   */
  get heldFromMs(): number {
    return this.releasedUpToMs;
  }

  /** Releases everything still held (call end), each decided against the timeline. */
  flush(): void {
    this.drain(Infinity);
  }

  private drain(upToMs: number): void {
    if (upToMs > this.releasedUpToMs) this.releasedUpToMs = upToMs;
    const { caller, agent } = this.rings;
    for (;;) {
      const tc = caller.headTime();
      const ta = agent.headTime();
      const direction: Direction = tc <= ta ? 'caller' : 'agent';
      const ring = direction === 'caller' ? caller : agent;
      const t = direction === 'caller' ? tc : ta;
      if (t === Infinity || t > upToMs) return;
      if (this.timeline.isPausedAt(t)) {
        this.counters.dropped++;
        this.sink.dropped?.(direction, t);
      } else {
        this.counters.released++;
        this.sink.frame(direction, t, ring.views[ring.head]!);
      }
      ring.shift();
    }
  }
}
