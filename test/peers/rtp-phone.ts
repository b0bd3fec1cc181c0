import type { Socket } from 'node:dgram';
import {
  dtmfEventCode,
  dtmfFrequencies,
  writeTelephoneEventPacket,
  type DtmfDigit,
} from '../../src/media/dtmf/index.js';
import { ulawEncode } from '../../src/media/g711/index.js';
import { writeRtpHeader } from '../../src/media/rtp/index.js';

/**
 * A phone's RTP sender for the tests: 20 ms PCMU frames (PT 0) of a tone, silence or an in-band
 * DTMF pair, and RFC 4733 telephone-events (PT 101) on the same SSRC and clock, each press sent as
 * the spec's sender does (§2.5.1): updates every 20 ms with a growing duration, three end packets.
 */
export class RtpPhone {
  /** Tone of the voice frames (Hz, 0 = silence). */
  frequency = 0;
  #inband: readonly [number, number] | undefined;
  #event: { code: number; ts: number; frames: number; left: number } | undefined;
  #seq = 0;
  #ts = 0;
  #phase = 0;
  #phase2 = 0;
  readonly #packet = Buffer.alloc(172);
  readonly #ssrc: number;
  readonly #timer: NodeJS.Timeout;
  #startedAt = performance.now();
  #stalledUntil = 0;

  constructor(
    private readonly socket: Socket,
    private readonly to: () => { address: string; port: number } | undefined,
    ssrc: number,
  ) {
    this.#ssrc = ssrc;
    this.#timer = setInterval(() => this.#tick(), 20);
  }

  /** Press `key` by RFC 4733 for `ms` (audio frames pause meanwhile, as phones do). */
  pressRfc4733(key: DtmfDigit, ms = 100): void {
    this.#event = {
      code: dtmfEventCode(key),
      ts: this.#ts,
      frames: Math.round(ms / 20),
      left: Math.round(ms / 20),
    };
  }

  /** Press `key` in-band (the two tones in the audio) for `ms`. */
  async pressInband(key: DtmfDigit, ms = 120): Promise<void> {
    this.#inband = dtmfFrequencies(key);
    await new Promise((r) => setTimeout(r, ms));
    this.#inband = undefined;
  }

  /**
   * The phone's capture stalls for `ms`: nothing is sent, and then the timestamps go on from where
   * they stopped (the sample count did not advance), so every later frame is `ms` behind the wall
   * clock, as with a sender whose sampling clock paused.
   */
  stall(ms: number): void {
    this.#stalledUntil = performance.now() + ms;
    this.#startedAt += ms;
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  #tick(): void {
    const dest = this.to();
    if (!dest || performance.now() < this.#stalledUntil) return;
    // RFC 3550 §5.1: a frame's timestamp is its sampling instant. Node's interval timer runs late
    // and does not catch up (more so on a loaded host), so a timestamp that only counts ticks falls
    // behind the wall clock, which no phone's does, and holdgate, which places frames by their
    // timestamps, would then place this phone's words early: words spoken just after a hold began
    // would land before it. Frames a late tick missed are skipped, as if lost.
    const due = (Math.floor((performance.now() - this.#startedAt) / 20) - 1) * 160;
    if (((due - this.#ts) | 0) > 0) this.#ts = due >>> 0;
    const p = this.#packet;
    const ev = this.#event;
    if (ev !== undefined) {
      // RFC 4733 §2.5.1.2: every packet of one event carries the event's start timestamp.
      ev.left--;
      const duration = (ev.frames - ev.left) * 160;
      const end = ev.left <= 0;
      const sends = end ? 3 : 1;
      for (let i = 0; i < sends; i++) {
        const pkt = Buffer.alloc(16);
        writeTelephoneEventPacket(
          pkt,
          {
            payloadType: 101,
            marker: ev.left === ev.frames - 1 && i === 0,
            sequence: this.#seq++,
            timestamp: ev.ts,
            ssrc: this.#ssrc,
          },
          { event: ev.code, end, volume: 10, duration: duration & 0xffff },
        );
        this.socket.send(pkt, dest.port, dest.address);
      }
      this.#ts = (this.#ts + 160) >>> 0;
      if (end) this.#event = undefined;
      return;
    }
    writeRtpHeader(p, {
      payloadType: 0,
      sequence: this.#seq++,
      timestamp: this.#ts,
      ssrc: this.#ssrc,
    });
    this.#ts = (this.#ts + 160) >>> 0;
    const pair = this.#inband;
    for (let i = 0; i < 160; i++) {
      let s = 0;
      if (pair) {
        s = 5000 * Math.sin(this.#phase) + 5000 * Math.sin(this.#phase2);
        this.#phase += (2 * Math.PI * pair[0]) / 8000;
        this.#phase2 += (2 * Math.PI * pair[1]) / 8000;
      } else if (this.frequency !== 0) {
        s = 8000 * Math.sin(this.#phase);
        this.#phase += (2 * Math.PI * this.frequency) / 8000;
      }
      p[12 + i] = ulawEncode(Math.round(s));
    }
    this.socket.send(p, dest.port, dest.address);
  }
}
