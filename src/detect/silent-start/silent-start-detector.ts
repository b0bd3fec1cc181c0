import type { HoldDecision, HoldMusicDetector } from '../types.js';
import { FrameFeatures } from '../classifier/frame-features.js';
import { STREAM_START_MIN_DB } from '../classifier/music-classifier-detector.js';
import { StreamStartSound } from './stream-start-sound.js';

export const SILENT_START_CAUSE = 'silent-start';

/**
 * A stream's silent start for a queue without the classifier (issue 5, `detection.silentStart`;
 * the classifier holds its own start open, with its evidence for music, see
 * `MusicClassifierOptions.silentStart`): once the stream's first frame reaches the delay line's exit
 * while the stream is still silent, it is paused from that frame, provisionally and unsure; when
 * its first sound has been heard for 1.5 s (`START_JUDGE_MS`), the pause ends at that same frame, and
 * the delay line gives the sound back. Known music matched meanwhile holds on by itself (the call
 * combines the detectors, `AnyHold`), so a queue wait that opens with `Answer()` and `Wait()` and
 * then plays its known music writes none of either. After the judgement it does nothing: the
 * frame features (one FFT) are computed only while the start is open.
 */
export class SilentStartDetector implements HoldMusicDetector {
  private readonly features = new FrameFeatures();
  private readonly start = new StreamStartSound(STREAM_START_MIN_DB);
  private startMs = -1;
  private paused = false;
  private judged = false;

  /** `delayLineMs`: the call's delay line D. */
  constructor(private readonly delayLineMs: number) {
    if (!(delayLineMs > 0)) throw new RangeError(`delayLineMs must be > 0, not ${delayLineMs}`);
  }

  get stateBytes(): number {
    return this.features.stateBytes + 64;
  }

  /** While the start is open: the stream's first frame, where a hold decided now would begin. */
  get pendingOnsetMs(): number | undefined {
    return this.judged || this.startMs < 0 ? undefined : this.startMs;
  }

  push(frame: Int16Array, callTimeMs: number): HoldDecision | undefined {
    if (this.judged) return undefined;
    if (this.startMs < 0) this.startMs = callTimeMs;
    this.features.push(frame);
    const phase = this.start.push(this.features.energyDb, callTimeMs);
    if (phase === 'judged') {
      this.judged = true;
      if (!this.paused) return undefined;
      this.paused = false;
      return this.decision('no-hold', true);
    }
    if (phase === 'silent' && !this.paused && callTimeMs - this.delayLineMs >= this.startMs) {
      this.paused = true;
      return this.decision('hold', false);
    }
    return undefined;
  }

  private decision(state: 'hold' | 'no-hold', confident: boolean): HoldDecision {
    return {
      state,
      onsetMs: this.startMs,
      cause: SILENT_START_CAUSE,
      confident,
      provisional: true,
    };
  }

  reset(): void {
    this.features.reset();
    this.start.reset();
    this.startMs = -1;
    this.paused = false;
    this.judged = false;
  }
}
