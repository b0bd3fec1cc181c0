import { RTP_FIXED_HEADER_LENGTH, writeRtpHeader } from '../rtp/index.js';
import type { PlayResult } from './control-protocol.js';
import type { Direction } from './relay-session.js';

const CLOCK_RATE = 8000;
const TIME_ORIGIN = performance.timeOrigin;

/**
 * Plays G.711 payloads into one direction of a relay session, replacing (not mixing) the
 * source's audio while it plays. Packets are paced by their own duration (20 ms for 160-byte
 * payloads, shorter for short ones) against the start time, so timer lateness does not
 * accumulate; sequence numbers and timestamps continue the outgoing stream through the
 * direction's {@link ContinuityRewriter} (RFC 3550 §5.1), the first packet carries the marker
 * bit (RFC 3551 §4.1), and relayed audio resumes continuously afterwards.
 */
export class PromptPlayer {
  private index = 0;
  private sent = 0;
  private startMs = 0;
  private elapsedSamples = 0;
  private timer: NodeJS.Timeout | undefined;
  private done = false;
  private readonly fields = new Uint32Array(4);
  private readonly buffers: Buffer[];
  private resolve: ((result: PlayResult) => void) | undefined;

  constructor(
    private readonly dir: Direction,
    private readonly payloads: readonly Uint8Array[],
    private readonly payloadType: number,
  ) {
    let max = 0;
    for (const p of payloads) max = Math.max(max, p.length);
    // Rotating send buffers: a datagram may still be queued in libuv when the next is built.
    this.buffers = [0, 1, 2, 3].map(() => Buffer.alloc(RTP_FIXED_HEADER_LENGTH + max));
  }

  /** Starts playing; resolves when the last packet went out or the player was stopped. */
  play(): Promise<PlayResult> {
    return new Promise((resolve) => {
      this.resolve = resolve;
      this.dir.suppressed = true;
      this.startMs = performance.now();
      this.tick();
    });
  }

  /** Stops early (session destroyed, or replaced by another prompt). Idempotent. */
  stop(): void {
    this.finish(true);
  }

  private tick(): void {
    if (this.done) return;
    const payload = this.payloads[this.index];
    if (payload === undefined) {
      this.finish(false);
      return;
    }
    const now = performance.now();
    const f = this.fields;
    this.dir.rewriter.nextGenerated(payload.length, TIME_ORIGIN + now, CLOCK_RATE, f);
    const buf = this.buffers[this.index & 3]!;
    writeRtpHeader(buf, {
      payloadType: this.payloadType,
      sequence: f[1]!,
      timestamp: f[2]!,
      ssrc: f[0]!,
      marker: f[3] === 1,
    });
    buf.set(payload, RTP_FIXED_HEADER_LENGTH);
    if (this.dir.sendGenerated(buf, RTP_FIXED_HEADER_LENGTH + payload.length)) this.sent++;
    this.index++;
    this.elapsedSamples += payload.length;
    const due = this.startMs + (this.elapsedSamples * 1000) / CLOCK_RATE;
    this.timer = setTimeout(
      () => {
        this.tick();
      },
      Math.max(0, due - performance.now()),
    );
  }

  private finish(interrupted: boolean): void {
    if (this.done) return;
    this.done = true;
    if (this.timer) clearTimeout(this.timer);
    this.dir.suppressed = false;
    this.resolve?.({ packetsSent: this.sent, interrupted });
  }
}
