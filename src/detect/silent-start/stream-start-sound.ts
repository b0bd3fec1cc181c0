/** Frames of sound that end a stream's silent start: a click or two does not. */
export const START_SOUND_FRAMES = 10;
/**
 * How long after its silence ends a stream's start is judged. A pause that then ends at its onset
 * gives back what the delay line holds, D before the judgement: so this plus the time the sound
 * takes to reach START_SOUND_FRAMES must stay under D, or a quiet first syllable is lost. Measured
 * with D = 2.5 s (`npm run bench -- silent-start`, development sources after 3 s of silence, stop
 * 36 of issue 5): judged at 1.5 s, 85 of 1428 music starts wrote any of the silence or the music
 * and 152 of 1944 prompt starts lost any of the agent's first words, against 1363 and 157 without
 * the silent start; at 2 s, 47 and 228 (a quiet first syllable, 0.5 s before the sound count is
 * reached); at 2.3 s, 31 and 1916 (all but 157 of them a few frames).
 */
export const START_JUDGE_MS = 1500;

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
