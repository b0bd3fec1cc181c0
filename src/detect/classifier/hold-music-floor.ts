import { LONG_FRAMES } from './window-features.js';

/** How far (dB) the window's floor may lie under the hold music's own and still be that music. */
export const DEFAULT_FLOOR_MARGIN_DB = 3;
/** The pauses must be this tonal (mean peak persistence of the 3 s window's gap frames). */
export const DEFAULT_FLOOR_TONALITY = 0.5;
/**
 * The floor is judged only once the 3 s window holds no frame of sure music: before that it is
 * the music's own, under an agent's voice as much as under an announcement.
 */
const JUDGE_AFTER_FRAMES = LONG_FRAMES;
/** Smoothing of the hold music's floor over the frames of sure music (per frame; about 1 s). */
const FLOOR_ALPHA = 0.02;

export interface HoldMusicFloorOptions {
  readonly marginDb: number;
  readonly tonality: number;
}

/**
 * Whether the hold's music still fills the pauses of a voice (issue 5, Build 2: the hold state
 * machine "stays on hold ... through voice-over on music, and leaves it when an agent speaks with
 * no music under the voice").
 *
 * While on hold, every frame the model is sure is music sets the level the music keeps in its
 * quiet moments: the 3 s window's floor (its 10th energy percentile), smoothed. When a voice then
 * scores as speech, and the window has held it alone (3 s since the last sure music), the music
 * is still under it if the window's floor has stayed within `marginDb` of that level and what
 * fills the pauses between words is tonal. A PBX announcement
 * mixed over its music does that; an agent who takes the call does not: the pauses between the
 * agent's words fall to the room's noise floor, far under the music, and are noisy, not tonal.
 * Pure; numbers only.
 */
export class HoldMusicFloor {
  private readonly o: HoldMusicFloorOptions;
  private floorDb = 0;
  private known = false;
  private sinceSure = 0;

  constructor(options: Partial<HoldMusicFloorOptions> = {}) {
    this.o = {
      marginDb: DEFAULT_FLOOR_MARGIN_DB,
      tonality: DEFAULT_FLOOR_TONALITY,
      ...options,
    };
  }

  /**
   * One frame: `holding` (the state before it), whether the model is sure it is music, the 3 s
   * window's floor (dBFS) and the tonality of its gaps. Returns whether the hold's music is still
   * under what scores as a voice; always false out of hold (where the level is forgotten) and
   * before any sure music of this hold was heard.
   */
  push(holding: boolean, sureMusic: boolean, windowFloorDb: number, gapTonality: number): boolean {
    if (!holding) {
      this.known = false;
      return false;
    }
    if (sureMusic) {
      this.floorDb = this.known
        ? this.floorDb + FLOOR_ALPHA * (windowFloorDb - this.floorDb)
        : windowFloorDb;
      this.known = true;
      this.sinceSure = 0;
      return false;
    }
    this.sinceSure++;
    return (
      this.known &&
      this.sinceSure >= JUDGE_AFTER_FRAMES &&
      windowFloorDb >= this.floorDb - this.o.marginDb &&
      gapTonality >= this.o.tonality
    );
  }

  reset(): void {
    this.known = false;
    this.floorDb = 0;
    this.sinceSure = 0;
  }
}
