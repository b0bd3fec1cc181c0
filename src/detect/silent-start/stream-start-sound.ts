/** Frames of sound that end a stream's silent start: a click or two does not. */
export const START_SOUND_FRAMES = 10;
/**
 * How long after its silence ends a stream's start is judged. At most the delay line less the
 * frames above: a pause that then ends at its onset gives back all of the sound, so an agent's
 * first words are never lost, only the silence before them. 2 s rather than 1.5: after 3 s of
 * silence, the classifier heard 17 of 20 Asterisk hold-music starts (five tracks at 0, 20, 40 and
 * 60 s) before the start was judged at 2 s, 16 at 1.5 s, and no more at 2.3 s (issue 5, stop 36).
 */
export const START_JUDGE_MS = 2000;

/** Where a stream's start stands after a frame (see {@link StreamStartSound}). */
export type StartPhase = 'silent' | 'sounding' | 'judged';

/**
 * A stream's start, from silence to its first sound being judged (issue 5, `detection.silentStart`):
 * `silent` until START_SOUND_FRAMES frames have reached `soundDb`, then `sounding` for
 * START_JUDGE_MS, then `judged` for good (until `reset`). Numbers only; no allocation.
 */
export class StreamStartSound {
  private sound = 0;
  private soundMs = -1;
  private judged = false;

  /** `soundDb`: the band energy (dBFS) at or above which a frame is sound, not a line's noise. */
  constructor(private readonly soundDb: number) {}

  /** One frame's band energy (dBFS) at call time `timeMs`: the phase after it. */
  push(energyDb: number, timeMs: number): StartPhase {
    if (this.judged) return 'judged';
    if (this.soundMs < 0) {
      if (energyDb < this.soundDb || ++this.sound < START_SOUND_FRAMES) return 'silent';
      this.soundMs = timeMs;
      return 'sounding';
    }
    if (timeMs < this.soundMs + START_JUDGE_MS) return 'sounding';
    this.judged = true;
    return 'judged';
  }

  reset(): void {
    this.sound = 0;
    this.soundMs = -1;
    this.judged = false;
  }
}
