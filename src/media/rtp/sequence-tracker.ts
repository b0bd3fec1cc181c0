const RTP_SEQ_MOD = 0x10000;
const MAX_DROPOUT = 3000;
const MAX_MISORDER = 100;

/**
 * Per-source sequence number bookkeeping from RFC 3550 Appendix A.1 (`init_seq`/`update_seq`):
 * extends the 16-bit sequence number with a wrap (cycle) count, validates a new source over
 * `minSequential` in-order packets (probation), tolerates reordering up to 100 packets back and
 * jumps up to 3000 ahead, and resynchronizes after a large jump once two consecutive packets
 * confirm it (a restarted sender). Loss is `expected − received` (A.3), which can go negative
 * with duplicates, as the RFC notes.
 *
 * All state lives in number fields: {@link update} allocates nothing.
 */
export class SequenceTracker {
  readonly #minSequential: number;
  #started = false;
  #maxSeq = 0;
  #cycles = 0;
  #baseSeq = 0;
  #badSeq = RTP_SEQ_MOD + 1;
  #probation = 0;
  #received = 0;
  #expectedPrior = 0;
  #receivedPrior = 0;

  /** @param minSequential packets in sequence before a new source is valid (A.1 uses 2). */
  constructor(minSequential = 2) {
    this.#minSequential = Math.max(1, minSequential);
  }

  /** Forgets the source (e.g. on an SSRC change). */
  reset(): void {
    this.#started = false;
    this.#probation = 0;
    this.#initSeq(0);
  }

  /**
   * Accounts one received packet. Returns false while the source is on probation and for a
   * packet that looks like a jump not (yet) confirmed by its successor; true otherwise.
   */
  update(seq: number): boolean {
    seq &= 0xffff;
    if (!this.#started) {
      this.#started = true;
      this.#initSeq(seq);
      this.#maxSeq = (seq - 1) & 0xffff;
      this.#probation = this.#minSequential;
    }
    const udelta = (seq - this.#maxSeq) & 0xffff;
    if (this.#probation > 0) {
      // Source is not valid until minSequential packets in sequence have been received.
      if (seq === ((this.#maxSeq + 1) & 0xffff)) {
        this.#probation--;
        this.#maxSeq = seq;
        if (this.#probation === 0) {
          this.#initSeq(seq);
          this.#received++;
          return true;
        }
      } else {
        this.#probation = this.#minSequential - 1;
        this.#maxSeq = seq;
      }
      return false;
    } else if (udelta < MAX_DROPOUT) {
      // In order, with permissible gap.
      if (seq < this.#maxSeq) this.#cycles += RTP_SEQ_MOD;
      this.#maxSeq = seq;
    } else if (udelta <= RTP_SEQ_MOD - MAX_MISORDER) {
      // The sequence number made a very large jump.
      if (seq === this.#badSeq) {
        // Two sequential packets: assume the other side restarted without telling us.
        this.#initSeq(seq);
      } else {
        this.#badSeq = (seq + 1) & 0xffff;
        return false;
      }
    }
    // else: duplicate or reordered packet.
    this.#received++;
    return true;
  }

  /** True once at least one packet has been seen. */
  get started(): boolean {
    return this.#started;
  }

  /** True once the source has passed probation. */
  get valid(): boolean {
    return this.#started && this.#probation === 0;
  }

  /** Highest sequence number seen, extended with the wrap count (A.1 `cycles + max_seq`). */
  get extendedHighest(): number {
    return this.#cycles + this.#maxSeq;
  }

  /** Packets accounted since validation (duplicates included, per A.1). */
  get received(): number {
    return this.#received;
  }

  /** Packets expected since validation (A.3). */
  get expected(): number {
    return this.valid ? this.#cycles + this.#maxSeq - this.#baseSeq + 1 : 0;
  }

  /** Cumulative packets lost, `expected − received` (A.3; negative with duplicates). */
  get lost(): number {
    return this.expected - this.#received;
  }

  /**
   * Fraction lost since the previous call, as the 8-bit fixed-point value an RR carries
   * (A.3: `(lost_interval << 8) / expected_interval`, 0 when nothing was lost).
   */
  takeFractionLost(): number {
    const expected = this.expected;
    const expectedInterval = expected - this.#expectedPrior;
    this.#expectedPrior = expected;
    const receivedInterval = this.#received - this.#receivedPrior;
    this.#receivedPrior = this.#received;
    const lostInterval = expectedInterval - receivedInterval;
    if (expectedInterval === 0 || lostInterval <= 0) return 0;
    return Math.floor((lostInterval * 256) / expectedInterval);
  }

  #initSeq(seq: number): void {
    this.#baseSeq = seq;
    this.#maxSeq = seq;
    this.#badSeq = RTP_SEQ_MOD + 1;
    this.#cycles = 0;
    this.#received = 0;
    this.#receivedPrior = 0;
    this.#expectedPrior = 0;
  }
}
