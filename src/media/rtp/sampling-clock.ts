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
 *   {@link MAX_LATE_MS} (a sender clock running slow for long; nothing else delays that much).
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

  readonly #unitsPerMs: number;
  #started = false;
  #ssrc = 0;
  #baseTs = 0;
  #baseMs = 0;
  #lastTs = 0;

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
      return arrivalMs;
    }
    return t;
  }
}
