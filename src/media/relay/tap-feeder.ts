import { decodeInto, type G711Law } from '../g711/index.js';
import { TAP_FLAG_CLOSED, TAP_FLAG_UNRECORDABLE, TapRingWriter } from './tap-ring.js';

/**
 * Producer side of one tap direction inside the media worker: decodes G.711 payloads (ITU-T
 * G.711 by table) into a staging frame and publishes every complete 20 ms frame (160 samples at
 * 8 kHz) to the shared ring. Packets of any length are accepted (Asterisk sends 12-byte packets
 * at prompt/music switches); a frame is cut short and published early when the source SSRC
 * changes or the timestamp does not continue the staged audio.
 *
 * FIXME(rfc3550 §6.4.1): no reordering buffer; a late packet starts a new (out of order) frame.
 */
export class TapFeeder {
  private readonly writer: TapRingWriter;
  private readonly staging: Int16Array;
  private fill = 0;
  private stageTs = 0;
  private stageArrival = 0;
  private stageSsrc = 0;
  private nextTs = 0;

  constructor(ring: SharedArrayBuffer) {
    this.writer = new TapRingWriter(ring);
    this.staging = new Int16Array(this.writer.frameSamples);
  }

  get buffer(): SharedArrayBuffer {
    return this.writer.buffer;
  }

  /** Decodes one payload of `len` bytes at `buf[offset]`. */
  push(
    buf: Uint8Array,
    offset: number,
    len: number,
    law: G711Law,
    ts: number,
    ssrc: number,
    arrivalMs: number,
  ): void {
    const frame = this.staging.length;
    if (this.fill > 0 && (ssrc !== this.stageSsrc || ts !== this.nextTs)) this.flush();
    let at = 0;
    let sampleTs = ts;
    while (at < len) {
      if (this.fill === 0) {
        this.stageTs = sampleTs;
        this.stageArrival = arrivalMs;
        this.stageSsrc = ssrc;
      }
      const n = decodeInto(buf, offset + at, len - at, this.staging, law, this.fill);
      if (n === 0) break; // payload shorter than claimed
      this.fill += n;
      at += n;
      sampleTs = (sampleTs + n) >>> 0;
      if (this.fill === frame) this.flush();
    }
    this.nextTs = (ts + len) >>> 0;
  }

  /** Marks the direction unrecordable (a non-G.711 audio payload was relayed). */
  markUnrecordable(): void {
    this.writer.setFlag(TAP_FLAG_UNRECORDABLE);
  }

  /** Publishes what is staged and tells the consumer the producer is gone. */
  close(): void {
    if (this.fill > 0) this.flush();
    this.writer.setFlag(TAP_FLAG_CLOSED);
  }

  private flush(): void {
    this.writer.write(this.staging, this.fill, this.stageTs, this.stageArrival, this.stageSsrc);
    this.fill = 0;
  }
}
