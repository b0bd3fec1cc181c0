/**
 * A bounded single-producer/single-consumer ring of 20 ms PCM16 frames in a SharedArrayBuffer.
 * The media worker writes decoded G.711 audio; a consumer in another thread reads it. When the
 * consumer is slow the newest frame is dropped and counted (the producer never blocks and never
 * overwrites a slot the consumer may be reading).
 *
 * Layout: Int32 header [write, read, dropped, flags, capacity, samplesPerFrame, 0, 0], then per
 * slot 4 Float64 of metadata [rtpTimestamp, arrivalMs, samples, ssrc], then per slot the PCM16
 * samples. `write`/`read` are free-running Int32 frame counters; the capacity is a power of two, so
 * `counter & (capacity - 1)` stays continuous across the Int32 wrap.
 */

const HDR_WRITE = 0;
const HDR_READ = 1;
const HDR_DROPPED = 2;
const HDR_FLAGS = 3;
const HDR_CAPACITY = 4;
const HDR_FRAME_SAMPLES = 5;
const HEADER_BYTES = 32;
const META_FIELDS = 4;

/** Flag: the stream carries a codec the tap cannot decode; it is relayed but unrecordable. */
export const TAP_FLAG_UNRECORDABLE = 1;
/** Flag: the producer has gone (session destroyed or its worker lost). */
export const TAP_FLAG_CLOSED = 2;

/** 20 ms at 8 kHz. */
export const TAP_FRAME_SAMPLES = 160;

/** Metadata of one frame. `read()` reuses one instance: copy fields you want to keep. */
export interface FrameMeta {
  /** RTP timestamp of the frame's first sample (after any continuity rewrite: as received). */
  rtpTimestamp: number;
  /** Arrival time of the packet holding the first sample, in ms since the epoch (fractional). */
  arrivalMs: number;
  /** Valid samples in the frame (160, fewer only for a frame cut by a discontinuity). */
  samples: number;
  /** SSRC of the source stream. */
  ssrc: number;
}

/** Allocates the shared memory of a ring holding `capacity` frames (rounded up to 2^n). */
export function createTapRingBuffer(
  requestedCapacity: number,
  frameSamples = TAP_FRAME_SAMPLES,
): SharedArrayBuffer {
  let capacity = 2;
  while (capacity < requestedCapacity) capacity *= 2;
  const sab = new SharedArrayBuffer(
    HEADER_BYTES + capacity * META_FIELDS * 8 + capacity * frameSamples * 2,
  );
  const header = new Int32Array(sab, 0, 8);
  header[HDR_CAPACITY] = capacity;
  header[HDR_FRAME_SAMPLES] = frameSamples;
  return sab;
}

class TapRingView {
  protected readonly header: Int32Array;
  protected readonly meta: Float64Array;
  protected readonly pcm: Int16Array;
  readonly capacity: number;
  readonly frameSamples: number;

  constructor(readonly buffer: SharedArrayBuffer) {
    this.header = new Int32Array(buffer, 0, 8);
    this.capacity = this.header[HDR_CAPACITY]!;
    this.frameSamples = this.header[HDR_FRAME_SAMPLES]!;
    this.meta = new Float64Array(buffer, HEADER_BYTES, this.capacity * META_FIELDS);
    this.pcm = new Int16Array(
      buffer,
      HEADER_BYTES + this.capacity * META_FIELDS * 8,
      this.capacity * this.frameSamples,
    );
  }

  /** Frames dropped because the consumer was slow. */
  get dropped(): number {
    return Atomics.load(this.header, HDR_DROPPED);
  }

  /** True once a non-G.711 audio payload was seen in this direction. */
  get unrecordable(): boolean {
    return (Atomics.load(this.header, HDR_FLAGS) & TAP_FLAG_UNRECORDABLE) !== 0;
  }

  /** True once the producer is gone. */
  get closed(): boolean {
    return (Atomics.load(this.header, HDR_FLAGS) & TAP_FLAG_CLOSED) !== 0;
  }

  /** Frames written and not yet read. */
  get available(): number {
    return (Atomics.load(this.header, HDR_WRITE) - Atomics.load(this.header, HDR_READ)) | 0;
  }
}

/** The producer side, used only inside the media worker. */
export class TapRingWriter extends TapRingView {
  /**
   * Writes one frame; returns false (and counts a drop) when the ring is full.
   * `pcm[offset .. offset+samples)` is copied; the rest of the slot is zero-filled.
   */
  write(
    pcm: Int16Array,
    samples: number,
    rtpTimestamp: number,
    arrivalMs: number,
    ssrc: number,
  ): boolean {
    const h = this.header;
    const w = Atomics.load(h, HDR_WRITE);
    const r = Atomics.load(h, HDR_READ);
    if (((w - r) | 0) >= this.capacity) {
      Atomics.add(h, HDR_DROPPED, 1);
      return false;
    }
    const slot = w & (this.capacity - 1);
    const base = slot * this.frameSamples;
    const n = samples < this.frameSamples ? samples : this.frameSamples;
    for (let i = 0; i < n; i++) this.pcm[base + i] = pcm[i]!;
    if (n < this.frameSamples) this.pcm.fill(0, base + n, base + this.frameSamples);
    const m = slot * META_FIELDS;
    this.meta[m] = rtpTimestamp;
    this.meta[m + 1] = arrivalMs;
    this.meta[m + 2] = n;
    this.meta[m + 3] = ssrc;
    Atomics.store(h, HDR_WRITE, (w + 1) | 0); // publish after the slot is complete
    return true;
  }

  setFlag(flag: number): void {
    Atomics.or(this.header, HDR_FLAGS, flag);
  }
}

/**
 * The consumer side of a tap: one reader per ring (single consumer). Obtained from
 * `MediaController.openTap()` or built in another worker from the transferred buffer.
 */
export class TapReader extends TapRingView {
  private readonly frame: FrameMeta = { rtpTimestamp: 0, arrivalMs: 0, samples: 0, ssrc: 0 };

  /**
   * Copies the oldest frame into `into` (at least `frameSamples` long) and returns its
   * metadata (a reused object), or null when no frame is waiting.
   */
  read(into: Int16Array): FrameMeta | null {
    const h = this.header;
    const r = Atomics.load(h, HDR_READ);
    const w = Atomics.load(h, HDR_WRITE);
    if (r === w) return null;
    if (into.length < this.frameSamples) {
      throw new RangeError(`tap frame needs ${this.frameSamples} samples, got ${into.length}`);
    }
    const slot = r & (this.capacity - 1);
    const base = slot * this.frameSamples;
    const pcm = this.pcm;
    for (let i = 0; i < this.frameSamples; i++) into[i] = pcm[base + i]!;
    const m = slot * META_FIELDS;
    const f = this.frame;
    f.rtpTimestamp = this.meta[m]!;
    f.arrivalMs = this.meta[m + 1]!;
    f.samples = this.meta[m + 2]!;
    f.ssrc = this.meta[m + 3]!;
    Atomics.store(h, HDR_READ, (r + 1) | 0); // free the slot only after copying
    return f;
  }
}

/** Marks a ring closed from any thread (the producer is gone). */
export function closeTapRing(ring: SharedArrayBuffer): void {
  Atomics.or(new Int32Array(ring, 0, 8), HDR_FLAGS, TAP_FLAG_CLOSED);
}
