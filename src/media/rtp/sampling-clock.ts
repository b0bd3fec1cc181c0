/**
 * When each frame of one RTP stream was sampled, on the call's own clock. RFC 3550 §5.1: the RTP
 * timestamp "reflects the sampling instant of the first octet in the RTP data packet"; arrival
 * time is that instant plus a transit time that varies (§6.4.1). A frame is therefore placed by
 * its timestamp, anchored to the arrival of the stream's least-delayed packet, not by when it
 * happened to arrive.
 *
 * This matters for privacy, not only for neatness: words a caller spoke during a hold, delivered
 * late (network queueing, a stalled sender catching up in a burst), belong to the hold and must be
 * judged against it. Placing them at their arrival would put them after the hold's end, where
 * they would be recorded.
 *
 * The anchor moves:
 * - earlier, to the arrival of any packet that arrives sooner than the anchor predicts (less
 *   transit than the anchor packet had; also a sender clock running fast, or a forward jump of the
 *   timestamp at a source switch, §5.1);
 * - to the arrival of a late packet only when the timestamp does not continue the stream (a new
 *   SSRC, a backward jump, or a gap over {@link MAX_CONTINUOUS_GAP_MS}), or when it is later than
 *   {@link MAX_LATE_MS} (nothing else delays that much);
 * - later, by the least lateness of the last {@link FLOOR_BLOCKS} seconds, when every packet of
 *   those seconds came late. That is a sender whose clock runs slow (§5.1 leaves the rate to the
 *   sender's sampling clock; a phone 100 ppm slow falls 0.36 s behind in an hour), or whose
 *   capture stalled and went on with continuous timestamps. Without this, such a sender's frames
 *   would be placed early by the whole accumulated lag, and a caller's words from just after a
 *   hold began would land before it. A stalled sender that sends the frames it owes and then keeps
 *   time leaves on-time packets in the window, so its burst stays where it was sampled; a
 *   congested path must stay congested for the whole window before it moves the anchor.
 *
 * Timestamp differences are taken as signed 32-bit numbers, so a wrap is harmless and a packet
 * reordered behind its successor lands just before it. Plain number fields; {@link callTimeMs}
 * allocates nothing.
 */
export class SamplingClock {
  /** A late packet whose timestamp does not continue the stream moves the anchor beyond this. */
  static readonly REANCHOR_MS = 200;
  /** Later than this, even a continuous timestamp is not believed. */
  static readonly MAX_LATE_MS = 2000;
  /** A timestamp at most this far after the previous one continues the stream (loss, DTX). */
  static readonly MAX_CONTINUOUS_GAP_MS = 1000;
  /** Arrival time (ms) over which one least lateness is kept. */
  static readonly FLOOR_BLOCK_MS = 1000;
  /** How many consecutive blocks must all come late before the anchor follows them. */
  static readonly FLOOR_BLOCKS = 4;

  readonly #unitsPerMs: number;
  #started = false;
  #ssrc = 0;
  #baseTs = 0;
  #baseMs = 0;
  #lastTs = 0;
  /** Least lateness of each of the last blocks (a ring), and of the block being filled. */
  readonly #floors = new Float64Array(SamplingClock.FLOOR_BLOCKS);
  #floorCount = 0;
  #blockStartMs = 0;
  #blockLeastLateMs = 0;

  /** @param clockRate RTP clock rate of the payload (8000 for G.711). */
  constructor(clockRate = 8000) {
    this.#unitsPerMs = clockRate / 1000;
  }

  /**
   * The call time (ms) at which the frame was sampled.
   * @param rtpTimestamp the packet's RTP timestamp (unsigned 32 bits)
   * @param ssrc the packet's SSRC
   * @param arrivalMs its arrival, on the same clock as the result (e.g. ms since the INVITE)
   */
  callTimeMs(rtpTimestamp: number, ssrc: number, arrivalMs: number): number {
    const sinceBase = ((rtpTimestamp - this.#baseTs) | 0) / this.#unitsPerMs;
    const t = this.#baseMs + sinceBase;
    const lateMs = arrivalMs - t;
    const step = ((rtpTimestamp - this.#lastTs) | 0) / this.#unitsPerMs;
    const continues = step > 0 && step <= SamplingClock.MAX_CONTINUOUS_GAP_MS;
    this.#lastTs = rtpTimestamp;
    if (
      !this.#started ||
      ssrc !== this.#ssrc ||
      lateMs < 0 ||
      lateMs > SamplingClock.MAX_LATE_MS ||
      (lateMs > SamplingClock.REANCHOR_MS && !continues)
    ) {
      this.#started = true;
      this.#ssrc = ssrc;
      this.#baseTs = rtpTimestamp;
      this.#baseMs = arrivalMs;
      this.#floorCount = 0;
      this.#blockStartMs = arrivalMs;
      this.#blockLeastLateMs = 0;
      return arrivalMs;
    }
    if (lateMs < this.#blockLeastLateMs) this.#blockLeastLateMs = lateMs;
    if (arrivalMs - this.#blockStartMs >= SamplingClock.FLOOR_BLOCK_MS) {
      const shift = this.#closeBlock();
      this.#blockStartMs = arrivalMs;
      this.#blockLeastLateMs = lateMs - shift;
      return t + shift;
    }
    return t;
  }

  /**
   * Keeps the finished block's least lateness; when the last {@link FLOOR_BLOCKS} all came late,
   * moves the anchor later by their least lateness and returns that shift (ms), else 0.
   */
  #closeBlock(): number {
    const floors = this.#floors;
    const n = floors.length;
    floors[this.#floorCount % n] = this.#blockLeastLateMs;
    this.#floorCount++;
    if (this.#floorCount < n) return 0;
    let least = floors[0]!;
    for (let i = 1; i < n; i++) if (floors[i]! < least) least = floors[i]!;
    if (least <= 0) return 0;
    this.#baseMs += least;
    for (let i = 0; i < n; i++) floors[i] = floors[i]! - least;
    return least;
  }
}
