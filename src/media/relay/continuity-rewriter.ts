import {
  rtpSequence,
  rtpSsrc,
  rtpTimestamp,
  setRtpMarker,
  setRtpSequence,
  setRtpSsrc,
  setRtpTimestamp,
} from '../rtp/index.js';

/** Packet durations above this (in clock units) are not plausible and are ignored. */
const MAX_PLAUSIBLE_DURATION = 8000;
/** A source switch after more than this much silence advances timestamps by the wall clock. */
const SILENCE_GAP_MS = 100;

/**
 * Keeps one outgoing RTP stream continuous for one direction (RFC 3550 §5.1, §8.2 spirit): when
 * the source changes SSRC (queue music → agent, a re-INVITE to another media server) or after
 * holdgate injected packets itself (a prompt), the far side keeps seeing one SSRC with
 * continuous sequence numbers and timestamps; the first packet after a switch carries the
 * marker bit so jitter buffers resynchronize (RFC 3551 §4.1).
 *
 * Timestamps advance by the real duration of the last packet (for G.711 its payload length,
 * otherwise the last timestamp step observed), never by an assumed 160: Asterisk emits 12-byte
 * packets at prompt/music switches. A switch after a longer silence advances by the elapsed
 * wall-clock time instead.
 *
 * While disabled the rewriter only observes (so a prompt can continue the stream), and packets
 * pass unchanged. All state is numbers; nothing allocates.
 */
export class ContinuityRewriter {
  private enabled = false;
  private forced = false;
  private haveOut = false;
  private outSsrc = 0;
  private inSsrc = 0;
  private seqOffset = 0;
  private tsOffset = 0;
  private resync = false;
  private lastOutSeq = 0;
  private lastOutTs = 0;
  private lastDuration = 0;
  private lastArrivalMs = 0;
  private lastInSeq = -1;
  private lastInTs = 0;
  private lastSsrcSeen = -1;

  /** Turns rewriting on or off (on takes effect without a discontinuity). */
  setEnabled(on: boolean): void {
    if (on && !this.active && this.haveOut) {
      this.outSsrc = this.inSsrc;
      this.seqOffset = 0;
      this.tsOffset = 0;
    }
    this.enabled = on;
  }

  get active(): boolean {
    return this.enabled || this.forced;
  }

  /** The SSRC the far side sees (meaningful once a packet went out). */
  get ssrc(): number {
    return this.outSsrc;
  }

  /**
   * Processes a packet about to be forwarded, rewriting SSRC/sequence/timestamp in place when
   * active.
   * @param duration samples the packet carries in clock units; 0 = unknown (learn from the
   *   timestamp step), -1 = not audio (RFC 4733 events: keep, but learn nothing)
   */
  process(buf: Uint8Array, duration: number, arrivalMs: number, clockRate: number): void {
    const ssrc = rtpSsrc(buf);
    const seq = rtpSequence(buf);
    const ts = rtpTimestamp(buf);
    if (duration === 0) duration = this.learnDuration(ssrc, seq, ts);
    if (!this.active) {
      this.outSsrc = ssrc;
      this.inSsrc = ssrc;
      this.seqOffset = 0;
      this.tsOffset = 0;
      this.haveOut = true;
    } else if (!this.haveOut) {
      this.outSsrc = ssrc;
      this.inSsrc = ssrc;
      this.haveOut = true;
    } else if (ssrc !== this.inSsrc || this.resync) {
      const advance = this.advanceFor(arrivalMs, clockRate);
      this.seqOffset = (this.lastOutSeq + 1 - seq) & 0xffff;
      this.tsOffset = (this.lastOutTs + advance - ts) >>> 0;
      this.inSsrc = ssrc;
      this.resync = false;
      setRtpMarker(buf, true);
    }
    const outSeq = (seq + this.seqOffset) & 0xffff;
    const outTs = (ts + this.tsOffset) >>> 0;
    if (this.active) {
      setRtpSsrc(buf, this.outSsrc);
      setRtpSequence(buf, outSeq);
      setRtpTimestamp(buf, outTs);
    }
    // Only packets moving the stream forward update the continuation point (not reordered ones).
    const seqStep = (outSeq - this.lastOutSeq) & 0xffff;
    if (this.lastInSeq < 0 || (seqStep > 0 && seqStep < 0x8000) || ssrc !== this.lastSsrcSeen) {
      this.lastOutSeq = outSeq;
      if (duration >= 0) {
        this.lastOutTs = outTs;
        if (duration > 0) this.lastDuration = duration;
      }
      this.lastArrivalMs = arrivalMs;
    }
    this.lastSsrcSeen = ssrc;
    this.lastInSeq = seq;
    this.lastInTs = ts;
  }

  /**
   * Header fields for a packet holdgate generates into this stream (prompt playback): continues
   * the outgoing sequence and timestamp, forces rewriting from now on and makes the next
   * relayed packet resynchronize. Writes into `out` ([ssrc, seq, ts, marker 0/1]).
   */
  nextGenerated(duration: number, arrivalMs: number, clockRate: number, out: Uint32Array): void {
    if (!this.haveOut) {
      this.outSsrc = (Math.random() * 0x100000000) >>> 0;
      this.lastOutSeq = (Math.random() * 0x8000) | 0;
      this.lastOutTs = (Math.random() * 0x80000000) >>> 0;
      this.lastDuration = 0;
      this.haveOut = true;
      this.inSsrc = this.outSsrc;
    }
    const first = !this.resync;
    const advance = first ? this.advanceFor(arrivalMs, clockRate) : this.lastDuration;
    this.lastOutSeq = (this.lastOutSeq + 1) & 0xffff;
    this.lastOutTs = (this.lastOutTs + advance) >>> 0;
    this.lastDuration = duration;
    this.lastArrivalMs = arrivalMs;
    this.forced = true;
    this.resync = true;
    out[0] = this.outSsrc;
    out[1] = this.lastOutSeq;
    out[2] = this.lastOutTs;
    out[3] = first ? 1 : 0;
  }

  private learnDuration(ssrc: number, seq: number, ts: number): number {
    if (ssrc === this.lastSsrcSeen && seq === ((this.lastInSeq + 1) & 0xffff)) {
      const step = (ts - this.lastInTs) >>> 0;
      if (step > 0 && step <= MAX_PLAUSIBLE_DURATION) return step;
    }
    return 0;
  }

  /** Timestamp advance from the last outgoing packet to one sent now. */
  private advanceFor(arrivalMs: number, clockRate: number): number {
    const last = this.lastDuration;
    const elapsedMs = arrivalMs - this.lastArrivalMs;
    const elapsed = Math.round((elapsedMs * clockRate) / 1000);
    if (last <= 0) return elapsed > 0 ? elapsed : 1;
    // A gap well beyond the last packet's duration is real silence: let the timestamps show
    // it. Anything shorter is jitter or a switch: keep the packet cadence exactly.
    return elapsedMs - (last * 1000) / clockRate > SILENCE_GAP_MS ? elapsed : last;
  }
}
