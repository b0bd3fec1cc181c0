import {
  rtpHeaderLength,
  rtpPayloadType,
  rtpTimestamp,
  writeRtpHeader,
} from '../rtp/rtp-header.js';
import type { RtpHeaderFields } from '../rtp/rtp-header.js';
import { DTMF_DIGITS, type DtmfDigit, type DtmfEvent } from './dtmf-digit.js';

/**
 * RFC 4733 §2.3 telephone-event payload:
 * ```
 * |     event     |E|R| volume    |          duration             |
 * ```
 */
export const TELEPHONE_EVENT_PAYLOAD_LENGTH = 4;

export interface TelephoneEventFields {
  /** Event code (0–255) or a DTMF digit. */
  event: number | DtmfDigit;
  end: boolean;
  /** Power level in −dBm0, 0–63. */
  volume: number;
  /** Duration so far in timestamp units (16 bits). */
  duration: number;
}

/** Writes one 4-byte telephone-event payload at `buf[off]`; returns 4. */
export function encodeTelephoneEvent(
  buf: Uint8Array,
  fields: TelephoneEventFields,
  off = 0,
): number {
  const code = typeof fields.event === 'number' ? fields.event : DTMF_DIGITS.indexOf(fields.event);
  buf[off] = code & 0xff;
  buf[off + 1] = (fields.end ? 0x80 : 0) | (fields.volume & 0x3f);
  buf[off + 2] = (fields.duration >>> 8) & 0xff;
  buf[off + 3] = fields.duration & 0xff;
  return TELEPHONE_EVENT_PAYLOAD_LENGTH;
}

/** Writes a complete RTP telephone-event packet (12-byte header + payload); returns 16. */
export function writeTelephoneEventPacket(
  buf: Uint8Array,
  header: RtpHeaderFields,
  event: TelephoneEventFields,
  off = 0,
): number {
  const h = writeRtpHeader(buf, header, off);
  return h + encodeTelephoneEvent(buf, event, off + h);
}

export interface TelephoneEventReceiverOptions {
  /** The negotiated telephone-event payload type (SDP `a=rtpmap:<pt> telephone-event/<rate>`). */
  payloadType: number;
  /** Its clock rate (8000, 16000, 48000, …); durations in ms are computed from it. */
  clockRate: number;
  /** Called once per event. A throwing listener is the caller's problem; state stays consistent. */
  onEvent: (event: DtmfEvent) => void;
}

const RECENT = 8;

/**
 * Per-stream RFC 4733 telephone-event receiver (§2.5.2 receiver procedures).
 *
 * - An event is identified by its RTP timestamp (§2.5.1.2): all its packets share it, the
 *   duration grows, the last three carry the E bit; redundant end packets are counted once
 *   (§2.5.1.4), and so are late packets of an event already reported.
 * - An event seen only through its end packet (start packets lost or reordered) still counts.
 * - Long events (§2.5.1.3): a new segment with timestamp = previous timestamp + previous
 *   duration and the same code continues the event while it has not ended; a duration field
 *   that wraps past 0xFFFF within one timestamp is extended too.
 * - Timestamps are compared modulo 2^32, so events spanning the timestamp wrap work.
 * - An event whose end packets are all lost is reported when the next event starts, or by
 *   {@link flush} (call it on a coarse timer or at stream end).
 *
 * Any RTP packet of the stream may be pushed: other payload types only anchor the stream clock
 * used for `at`. Preallocated state; nothing is allocated per packet (only per reported event).
 */
export class TelephoneEventReceiver {
  readonly #pt: number;
  readonly #msPerUnit: number;
  readonly #onEvent: (event: DtmfEvent) => void;
  readonly #slack: number;

  // Stream clock, extended over the 2^32 wrap.
  #clockStarted = false;
  #lastTs = 0;
  #lastExt = 0;
  #baseExt = 0;

  // The current event.
  #active = false;
  #reported = false;
  #ended = false;
  #code = 0;
  #volume = 0;
  #startTs = 0; // timestamp of the first segment
  #startExt = 0;
  #segmentTs = 0;
  #segmentBase = 0; // units accumulated by previous segments
  #segmentDuration = 0; // extended duration within the current segment

  // Timestamps of recently reported events, to drop their late/redundant packets.
  readonly #recent = new Float64Array(RECENT).fill(-1);
  #recentNext = 0;

  constructor(options: TelephoneEventReceiverOptions) {
    this.#pt = options.payloadType;
    this.#msPerUnit = 1000 / options.clockRate;
    this.#onEvent = options.onEvent;
    this.#slack = Math.max(960, options.clockRate / 10);
  }

  /**
   * Feeds one RTP packet of `len` bytes at `off`. Returns true if it was a telephone-event
   * packet of this stream (valid or not), false for other payload types.
   */
  push(buf: Uint8Array, len: number, off = 0): boolean {
    const header = rtpHeaderLength(buf, len, off);
    if (header < 0) return false;
    const ts = rtpTimestamp(buf, off);
    const ext = this.#extend(ts);
    if (rtpPayloadType(buf, off) !== this.#pt) return false;
    if (len - header < TELEPHONE_EVENT_PAYLOAD_LENGTH) return true;
    const p = off + header;
    const code = buf[p]!;
    const end = (buf[p + 1]! & 0x80) !== 0;
    const volume = buf[p + 1]! & 0x3f;
    const duration = (buf[p + 2]! << 8) | buf[p + 3]!;

    if (this.#active && ts === this.#segmentTs) {
      if (code !== this.#code || this.#reported) return true; // redundant or late
      this.#updateDuration(duration);
      this.#volume = volume;
      if (end) this.#end();
      return true;
    }
    if (this.#wasReported(ts)) return true;
    if (this.#active && !this.#ended && code === this.#code && this.#isNextSegment(ts)) {
      // §2.5.1.3 long-duration event: a new segment continues the same key press.
      this.#segmentBase += (ts - this.#segmentTs) >>> 0;
      this.#segmentTs = ts;
      this.#segmentDuration = duration;
      this.#volume = volume;
      if (end) this.#end();
      return true;
    }
    if (this.#active && ((ts - this.#startTs) | 0) >= 0 && ((ts - this.#segmentTs) | 0) < 0) {
      return true; // late packet of an earlier segment of the current event
    }
    if (this.#active && ((ts - this.#segmentTs) | 0) < 0 && !this.#reported) {
      // A packet of an older event arriving after a newer one started: report it alone.
      this.#reportStandalone(code, ts, ext, duration, volume);
      return true;
    }
    // A new event (possibly seen first through its end packet).
    if (this.#active && !this.#reported) this.#report(); // its end packets were lost
    if (code >= DTMF_DIGITS.length) {
      // FIXME(rfc4733 §3.2): non-DTMF events (flash, tones) are ignored.
      this.#active = false;
      return true;
    }
    this.#active = true;
    this.#reported = false;
    this.#ended = false;
    this.#code = code;
    this.#volume = volume;
    this.#startTs = ts;
    this.#startExt = ext;
    this.#segmentTs = ts;
    this.#segmentBase = 0;
    this.#segmentDuration = duration;
    if (end) this.#end();
    return true;
  }

  /** Reports the current event if it has not been reported (its end packets never came). */
  flush(): void {
    if (this.#active && !this.#reported) this.#report();
  }

  #updateDuration(duration: number): void {
    const low = this.#segmentDuration & 0xffff;
    let d = this.#segmentDuration - low + duration;
    if (duration < low - 0x8000) d += 0x10000; // duration field wrapped
    if (d > this.#segmentDuration) this.#segmentDuration = d;
  }

  #isNextSegment(ts: number): boolean {
    const diff = (ts - (this.#segmentTs + this.#segmentDuration)) | 0;
    // Slack for the segment's last packets having been lost: 100 ms of timestamp units.
    return diff >= -this.#slack && diff <= this.#slack;
  }

  #end(): void {
    this.#ended = true;
    this.#report();
  }

  #report(): void {
    this.#reported = true;
    this.#remember(this.#segmentTs);
    this.#remember(this.#startTs);
    this.#emit(
      this.#code,
      this.#startTs,
      this.#startExt,
      this.#segmentBase + this.#segmentDuration,
      this.#volume,
    );
  }

  #reportStandalone(code: number, ts: number, ext: number, duration: number, volume: number): void {
    this.#remember(ts);
    if (code < DTMF_DIGITS.length) this.#emit(code, ts, ext, duration, volume);
  }

  #emit(code: number, startTs: number, startExt: number, units: number, volume: number): void {
    this.#onEvent({
      digit: DTMF_DIGITS[code]!,
      startTs,
      durationMs: units * this.#msPerUnit,
      at: (startExt - this.#baseExt) * this.#msPerUnit,
      volume,
    });
  }

  #remember(ts: number): void {
    this.#recent[this.#recentNext] = ts;
    this.#recentNext = (this.#recentNext + 1) % RECENT;
  }

  #wasReported(ts: number): boolean {
    for (let i = 0; i < RECENT; i++) if (this.#recent[i] === ts) return true;
    return false;
  }

  /** Extends a 32-bit timestamp relative to the last one seen (signed 32-bit difference). */
  #extend(ts: number): number {
    if (!this.#clockStarted) {
      this.#clockStarted = true;
      this.#lastTs = ts;
      this.#lastExt = ts;
      this.#baseExt = ts;
      return ts;
    }
    const ext = this.#lastExt + ((ts - this.#lastTs) | 0);
    if (ext > this.#lastExt) {
      this.#lastExt = ext;
      this.#lastTs = ts;
    }
    return ext;
  }
}
