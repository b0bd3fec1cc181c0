import type { Logger } from '../shared/logger.js';
import type { CallRecording } from './call-recording.js';
import { POLL_MS } from './poll-timing.js';

/**
 * One coarse tick (`POLL_MS`, 20 ms) for every active recording (no timer per call): drains each call's taps
 * into its delay line. A recording that throws is logged and dropped from the tick, never the rest.
 */
export class RecordingHub {
  readonly #active = new Set<CallRecording>();
  readonly #finishing = new Set<Promise<unknown>>();
  readonly #timer: NodeJS.Timeout;
  readonly #log: Logger;

  constructor(logger: Logger, tickMs = POLL_MS) {
    this.#log = logger;
    this.#timer = setInterval(() => this.#tick(), tickMs);
    this.#timer.unref();
  }

  add(recording: CallRecording): void {
    this.#active.add(recording);
  }

  remove(recording: CallRecording): void {
    this.#active.delete(recording);
  }

  /** Keep track of a recording being finalized, so shutdown can wait for it. */
  track(finalizing: Promise<unknown>): void {
    const p = finalizing.finally(() => this.#finishing.delete(p));
    this.#finishing.add(p);
  }

  /** Stop ticking and wait for the finalizations under way (ffmpeg), failures included. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.#active.clear();
    await Promise.allSettled([...this.#finishing]);
  }

  #tick(): void {
    for (const r of this.#active) {
      try {
        r.poll();
      } catch (err) {
        this.#log.error({ err }, 'recording poll failed');
        this.#active.delete(r);
      }
    }
  }
}
