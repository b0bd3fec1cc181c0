/**
 * Lost frames of one RTP stream, from its timestamps (RFC 3550 §5.1: the timestamp counts sampling
 * instants, so a frame that did not come leaves a gap of its samples between its neighbours'
 * timestamps), for whoever needs one frame per frame time, such as the hold-music detectors, which
 * hear a lost frame as silence.
 *
 * Per frame, {@link lostBefore} says how many frames of `frameSamples` are missing right before it
 * (a gap of at most {@link MAX_CONCEALED_MS}), or that the frame is late: its time has passed (a
 * packet reordered behind its successor, a duplicate). A longer gap forward or backward is no loss
 * but a discontinuity (a stall, silence suppression, a jump of the timestamp), and a new SSRC is a
 * new stream: the count starts over from that frame. Timestamp differences are signed 32-bit, so
 * a wrap is harmless. Plain number fields; no allocation.
 */
export class FrameGaps {
  /** The longest gap counted as lost frames; 10 frames of 20 ms. */
  static readonly MAX_CONCEALED_MS = 200;

  readonly #maxGap: number;
  #started = false;
  #ssrc = 0;
  /** The timestamp the next frame continues the stream at. */
  #nextTs = 0;

  /**
   * @param frameSamples samples per frame (160: 20 ms at 8 kHz)
   * @param clockRate RTP clock rate of the payload (8000 for G.711)
   */
  constructor(
    private readonly frameSamples = 160,
    clockRate = 8000,
  ) {
    this.#maxGap = (FrameGaps.MAX_CONCEALED_MS * clockRate) / 1000;
  }

  /**
   * The frame of `samples` samples at `rtpTimestamp` of source `ssrc` came: how many frames were
   * lost right before it (0 when it continues the stream), or −1 when it is late (a reordered or
   * duplicated packet whose time has passed).
   */
  lostBefore(rtpTimestamp: number, samples: number, ssrc: number): number {
    const gap = (rtpTimestamp - this.#nextTs) | 0;
    const continues = this.#started && ssrc === this.#ssrc;
    if (continues && gap < 0 && gap > -this.#maxGap) return -1;
    this.#started = true;
    this.#ssrc = ssrc;
    this.#nextTs = (rtpTimestamp + samples) >>> 0;
    if (!continues || gap <= 0 || gap > this.#maxGap) return 0;
    return Math.round(gap / this.frameSamples);
  }
}
