import { dtmfEventCode, type DtmfDigit, type DtmfEvent } from '../dtmf/dtmf-digit.js';
import { INBAND_FRAME_SAMPLES, InbandDtmfDetector } from '../dtmf/inband.js';
import { TelephoneEventReceiver } from '../dtmf/rfc4733.js';
import { decodeInto, type G711Law } from '../g711/index.js';
import type { DtmfSource } from './control-protocol.js';

/** Where a watch delivers each press (the worker runtime turns it into a `dtmf` message). */
export type DtmfSink = (
  digit: DtmfDigit,
  source: DtmfSource,
  durationMs: number,
  atMs: number,
) => void;

/** In-band timestamps are 8 kHz (G.711, RFC 3551 §4.5.14). */
const INBAND_MS_PER_UNIT = 1000 / 8000;
/** Slack when matching an RFC 4733 event against an in-band press: one 20 ms frame. */
const OVERLAP_SLACK_UNITS = INBAND_FRAME_SAMPLES;

/**
 * DTMF detection on the RTP one leg's peer sends (issue 6 item 3), inside the media worker:
 * an RFC 4733 §2.5.2 receiver on the negotiated telephone-event payload type and an in-band
 * Goertzel detector (ITU-T Q.23/Q.24) on the decoded G.711 audio. It sees every accepted packet
 * before the relay decides to forward or drop it, so it works while the other leg has no
 * address yet and while a prompt replaces the audio toward either leg.
 *
 * **One report per key press.** A sender that signals a key by RFC 4733 events may leave the
 * tone in its audio too (RFC 2833 practice: phones and gateways do not always mute the codec
 * while they send events; cf. RFC 4733 §2.6, which leaves reconciling the two forms to the
 * receiver). Rule: once a telephone-event packet has been received on the stream, in-band
 * detection is off for it — the events are the authoritative form, and decoded tones would
 * count every press twice (Voximplant documents the same rule: a received RFC 2833 event
 * disables in-band processing). The rule restarts when new SDP changes the telephone-event
 * negotiation. For the very first press, where a lost or late start lets the in-band report
 * come first, an RFC 4733 event whose span overlaps the last in-band press of the same digit
 * and SSRC (compared in RTP timestamps, ± one frame) is not reported again.
 *
 * Audio packets of any length are staged into one preallocated 160-sample frame; a partial
 * frame is zero-padded and analysed at an SSRC change or timestamp discontinuity. Nothing is
 * allocated per packet (only per reported press, and a new receiver on an SSRC change).
 *
 * Pending presses whose end never came (RFC 4733 end packets lost, in-band audio stopped
 * mid-tone) are flushed by {@link tick} once the stream has been idle for `idleTicks` of the
 * worker's coarse timer, and by {@link flush} (detection off, session destroyed).
 *
 * FIXME(rfc3550 §6.4.1): no reordering for the in-band path; a late audio packet starts a new
 * frame.
 */
export class DtmfWatch {
  /** The telephone-event payload type watched, or -1. */
  eventPt = -1;
  #eventClock = 8000;
  #receiver: TelephoneEventReceiver | null = null;
  readonly #inband: InbandDtmfDetector;
  #eventsSeen = false;

  // SSRC of the stream (-1 before the first packet).
  #ssrc = -1;

  // Arrival anchors: RTP timestamp of the newest sample known and its arrival (epoch ms).
  #eventAnchored = false;
  #eventAnchorTs = 0;
  #eventAnchorMs = 0;
  #audioAnchored = false;
  #audioAnchorTs = 0;
  #audioAnchorMs = 0;

  // In-band staging.
  readonly #frame = new Int16Array(INBAND_FRAME_SAMPLES);
  #fill = 0;
  #frameTs = 0;
  #nextTs = 0;

  // The last in-band press, for the first-press cross-check.
  #lastInbandCode = -1;
  #lastInbandSsrc = -1;
  #lastInbandTs = 0;
  #lastInbandUnits = 0;

  // Idle detection on the coarse timer.
  #lastEventTick = 0;
  #lastAudioTick = 0;

  readonly #onRfc4733 = (e: DtmfEvent): void => {
    this.#reportRfc4733(e);
  };

  constructor(
    private readonly sink: DtmfSink,
    private readonly idleTicks: number,
  ) {
    this.#inband = new InbandDtmfDetector({
      onEvent: (e) => {
        this.#reportInband(e);
      },
    });
  }

  /**
   * Sets the telephone-event payload type (-1: none) and its clock rate from the leg's SDP.
   * A change flushes the old receiver and restarts the one-report rule.
   */
  configure(eventPt: number, clockRate: number): void {
    if (eventPt === this.eventPt && clockRate === this.#eventClock) return;
    this.#receiver?.flush();
    this.eventPt = eventPt;
    this.#eventClock = clockRate;
    this.#eventsSeen = false;
    this.#eventAnchored = false;
    this.#receiver = eventPt >= 0 ? this.#newReceiver() : null;
  }

  /** A telephone-event packet (`len` bytes, header of `hdr` bytes) arrived at `tick`. */
  pushEvent(
    buf: Uint8Array,
    len: number,
    hdr: number,
    ts: number,
    ssrc: number,
    arrivalMs: number,
    tick: number,
  ): void {
    if (this.#receiver === null) return;
    this.#checkSsrc(ssrc);
    this.#lastEventTick = tick;
    if (len - hdr >= 4) {
      // The event's newest sample: segment timestamp + duration so far (RFC 4733 §2.5.1.2).
      const end = (ts + ((buf[hdr + 2]! << 8) | buf[hdr + 3]!)) >>> 0;
      if (!this.#eventAnchored || ((end - this.#eventAnchorTs) | 0) > 0) {
        this.#eventAnchored = true;
        this.#eventAnchorTs = end;
        this.#eventAnchorMs = arrivalMs;
      }
    }
    this.#eventsSeen = true;
    this.#receiver.push(buf, len);
  }

  /** A G.711 payload of `len` bytes at `buf[offset]` arrived at `tick`. */
  pushAudio(
    buf: Uint8Array,
    offset: number,
    len: number,
    law: G711Law,
    ts: number,
    ssrc: number,
    arrivalMs: number,
    tick: number,
  ): void {
    if (this.#eventsSeen) return; // RFC 4733 is authoritative on this stream (see above)
    this.#checkSsrc(ssrc);
    this.#lastAudioTick = tick;
    const end = (ts + len) >>> 0;
    if (!this.#audioAnchored || ((end - this.#audioAnchorTs) | 0) > 0) {
      this.#audioAnchored = true;
      this.#audioAnchorTs = end;
      this.#audioAnchorMs = arrivalMs;
    }
    if (this.#fill > 0 && ts !== this.#nextTs) this.#flushFrame();
    let at = 0;
    let sampleTs = ts;
    while (at < len) {
      if (this.#fill === 0) this.#frameTs = sampleTs;
      const n = decodeInto(buf, offset + at, len - at, this.#frame, law, this.#fill);
      if (n === 0) break; // payload shorter than claimed
      this.#fill += n;
      at += n;
      sampleTs = (sampleTs + n) >>> 0;
      if (this.#fill === INBAND_FRAME_SAMPLES) {
        this.#inband.process(this.#frame, 0, this.#frameTs);
        this.#fill = 0;
      }
    }
    this.#nextTs = (ts + len) >>> 0;
  }

  /** Coarse timer: flushes what an idle stream left pending. Cheap when nothing is pending. */
  tick(now: number): void {
    if (this.#receiver !== null && now - this.#lastEventTick >= this.idleTicks) {
      this.#receiver.flush();
    }
    if (now - this.#lastAudioTick >= this.idleTicks) this.#flushInband();
  }

  /** Reports every pending press (detection switched off, session destroyed). */
  flush(): void {
    this.#receiver?.flush();
    this.#flushInband();
  }

  #flushInband(): void {
    if (this.#fill > 0) this.#flushFrame();
    this.#inband.flush();
  }

  /** Analyses the staged partial frame, zero-padded to 20 ms. */
  #flushFrame(): void {
    this.#frame.fill(0, this.#fill);
    this.#inband.process(this.#frame, 0, this.#frameTs);
    this.#fill = 0;
  }

  /** A new SSRC is a new stream: pending presses end, the RFC 4733 receiver starts afresh. */
  #checkSsrc(ssrc: number): void {
    if (ssrc === this.#ssrc) return;
    if (this.#ssrc !== -1) {
      this.flush();
      if (this.#receiver !== null) this.#receiver = this.#newReceiver();
    }
    this.#ssrc = ssrc;
    this.#eventAnchored = false;
    this.#audioAnchored = false;
  }

  #newReceiver(): TelephoneEventReceiver {
    return new TelephoneEventReceiver({
      payloadType: this.eventPt,
      clockRate: this.#eventClock,
      onEvent: this.#onRfc4733,
    });
  }

  #reportRfc4733(e: DtmfEvent): void {
    const units = Math.round((e.durationMs * this.#eventClock) / 1000);
    if (this.#eventClock === 8000 && this.#overlapsInband(e.digit, e.startTs, units)) return;
    const msPerUnit = 1000 / this.#eventClock;
    const atMs = this.#eventAnchored
      ? this.#eventAnchorMs - ((this.#eventAnchorTs - e.startTs) | 0) * msPerUnit
      : Date.now() - e.durationMs;
    this.sink(e.digit, 'rfc4733', e.durationMs, atMs);
  }

  #reportInband(e: DtmfEvent): void {
    if (this.#eventsSeen) return;
    this.#lastInbandCode = dtmfEventCode(e.digit);
    this.#lastInbandSsrc = this.#ssrc;
    this.#lastInbandTs = e.startTs;
    this.#lastInbandUnits = Math.round(e.durationMs / INBAND_MS_PER_UNIT);
    const atMs = this.#audioAnchored
      ? this.#audioAnchorMs - ((this.#audioAnchorTs - e.startTs) | 0) * INBAND_MS_PER_UNIT
      : Date.now() - e.durationMs;
    this.sink(e.digit, 'inband', e.durationMs, atMs);
  }

  /** Whether an RFC 4733 event repeats the last in-band press (same digit, SSRC, time span). */
  #overlapsInband(digit: DtmfDigit, startTs: number, units: number): boolean {
    if (this.#lastInbandCode !== dtmfEventCode(digit) || this.#lastInbandSsrc !== this.#ssrc) {
      return false;
    }
    const d = (startTs - this.#lastInbandTs) | 0;
    return d < this.#lastInbandUnits + OVERLAP_SLACK_UNITS && -d < units + OVERLAP_SLACK_UNITS;
  }
}
