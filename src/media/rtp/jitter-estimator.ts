/**
 * Interarrival jitter of one RTP stream, RFC 3550 §6.4.1 and Appendix A.8:
 * `D(i-1,i) = (R_i − R_{i−1}) − (S_i − S_{i−1})`, `J += (|D| − J) / 16`, with R the arrival time
 * converted to RTP timestamp units. Transit differences are taken modulo 2^32 so a timestamp wrap
 * is harmless. Plain number fields; {@link update} allocates nothing.
 */
export class JitterEstimator {
  readonly #unitsPerMs: number;
  readonly #clockRate: number;
  #hasPrior = false;
  #transit = 0;
  #jitter = 0;

  /** @param clockRate RTP clock rate of the payload (8000 for G.711). */
  constructor(clockRate: number) {
    this.#clockRate = clockRate;
    this.#unitsPerMs = clockRate / 1000;
  }

  /** Starts over (new SSRC, or a timestamp discontinuity the caller knows about). */
  reset(): void {
    this.#hasPrior = false;
    this.#transit = 0;
    this.#jitter = 0;
  }

  /**
   * Accounts one packet.
   * @param rtpTimestamp the packet's RTP timestamp (unsigned 32 bits)
   * @param arrivalMs arrival time in milliseconds on any monotonic clock
   */
  update(rtpTimestamp: number, arrivalMs: number): void {
    const arrival = Math.round(arrivalMs * this.#unitsPerMs);
    const transit = (arrival - rtpTimestamp) | 0;
    if (this.#hasPrior) {
      let d = (transit - this.#transit) | 0;
      if (d < 0) d = -d;
      this.#jitter += (d - this.#jitter) / 16;
    }
    this.#hasPrior = true;
    this.#transit = transit;
  }

  /** Jitter in RTP timestamp units, as an RR reports it (A.8: truncated). */
  get jitter(): number {
    return Math.floor(this.#jitter);
  }

  /** Jitter in milliseconds. */
  get jitterMs(): number {
    return (this.#jitter * 1000) / this.#clockRate;
  }
}
