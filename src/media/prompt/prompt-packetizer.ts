import type { G711Law } from '../g711/g711-law.js';
import { g711SilenceByte } from '../g711/g711-law.js';
import { RTP_FIXED_HEADER_LENGTH, writeRtpHeader } from '../rtp/rtp-header.js';

export interface PromptPacketizerOptions {
  /** Raw G.711 audio, one byte per 8 kHz sample (from {@link PromptCache}). */
  audio: Uint8Array;
  law: G711Law;
  payloadType: number;
  ssrc: number;
  /** Sequence number of the first packet (continue the stream being replaced). */
  sequence: number;
  /** RTP timestamp of the first packet. */
  timestamp: number;
  /** Samples per packet (default 160 = 20 ms). */
  samplesPerPacket?: number;
}

/**
 * Cuts a G.711 prompt into RTP packets (RFC 3550 §5.1, RFC 3551 §4.5.14): sequence + 1 and
 * timestamp + samples per packet (wrapping at 2^16 / 2^32), the marker bit on the first packet
 * since the prompt starts a talkspurt (RFC 3551 §4.1), the last packet padded to full length with
 * the law's silence byte. Writes into a caller-supplied buffer; nothing is allocated per packet.
 * Pacing (one packet per 20 ms) is the relay's job.
 */
export class PromptPacketizer {
  readonly #audio: Uint8Array;
  readonly #silence: number;
  readonly #pt: number;
  readonly #ssrc: number;
  readonly #spp: number;
  #pos = 0;
  #sequence: number;
  #timestamp: number;
  #first = true;

  constructor(options: PromptPacketizerOptions) {
    this.#audio = options.audio;
    this.#silence = g711SilenceByte(options.law);
    this.#pt = options.payloadType;
    this.#ssrc = options.ssrc;
    this.#spp = options.samplesPerPacket ?? 160;
    this.#sequence = options.sequence & 0xffff;
    this.#timestamp = options.timestamp >>> 0;
  }

  /** Bytes a packet needs in the output buffer. */
  get packetLength(): number {
    return RTP_FIXED_HEADER_LENGTH + this.#spp;
  }

  /** Packets still to come. */
  get remaining(): number {
    return Math.ceil((this.#audio.length - this.#pos) / this.#spp);
  }

  get done(): boolean {
    return this.#pos >= this.#audio.length;
  }

  /** Sequence number the next packet gets (after the prompt: where the stream continues). */
  get nextSequence(): number {
    return this.#sequence;
  }

  /** Timestamp the next packet gets. */
  get nextTimestamp(): number {
    return this.#timestamp;
  }

  /**
   * Writes the next packet at `out[off]`; returns its length, or 0 when the prompt is over.
   * @throws RangeError if `out` has no room for {@link packetLength} bytes
   */
  next(out: Uint8Array, off = 0): number {
    if (this.done) return 0;
    if (out.length - off < this.packetLength) throw new RangeError('output buffer too small');
    writeRtpHeader(
      out,
      {
        payloadType: this.#pt,
        sequence: this.#sequence,
        timestamp: this.#timestamp,
        ssrc: this.#ssrc,
        marker: this.#first,
      },
      off,
    );
    const p = off + RTP_FIXED_HEADER_LENGTH;
    const n = Math.min(this.#spp, this.#audio.length - this.#pos);
    const audio = this.#audio;
    for (let i = 0; i < n; i++) out[p + i] = audio[this.#pos + i]!;
    if (n < this.#spp) out.fill(this.#silence, p + n, p + this.#spp);
    this.#pos += n;
    this.#first = false;
    this.#sequence = (this.#sequence + 1) & 0xffff;
    this.#timestamp = (this.#timestamp + this.#spp) >>> 0;
    return this.packetLength;
  }
}
