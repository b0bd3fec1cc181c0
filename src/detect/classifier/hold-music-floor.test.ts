import { describe, expect, it } from 'vitest';
import { HoldMusicFloor } from './hold-music-floor.js';

/** Pushes `frames` identical frames; returns what the last one answered. */
function run(
  f: HoldMusicFloor,
  frames: number,
  holding: boolean,
  sure: boolean,
  floorDb: number,
  tonality: number,
): boolean {
  let under = false;
  for (let i = 0; i < frames; i++) under = f.push(holding, sure, floorDb, tonality);
  return under;
}

describe('HoldMusicFloor', () => {
  it('says the music is under a voice once the window holds the voice alone and its floor stays at the music’s', () => {
    const f = new HoldMusicFloor();
    // Sure music of this hold: its floor is −50 dBFS.
    expect(run(f, 100, true, true, -50, 0.8)).toBe(false);
    // A voice with tonal pauses at the same floor: judged only after 3 s (150 frames).
    expect(run(f, 149, true, false, -49, 0.7)).toBe(false);
    expect(f.push(true, false, -49, 0.7)).toBe(true);
    // Within the 3 dB margin, yes; deeper, or noisy pauses, no.
    expect(f.push(true, false, -53, 0.7)).toBe(true);
    expect(f.push(true, false, -53.5, 0.7)).toBe(false);
    expect(f.push(true, false, -50, 0.45)).toBe(false);
  });

  it('knows nothing before sure music, forgets out of hold, and starts over on reset', () => {
    const f = new HoldMusicFloor();
    expect(run(f, 200, true, false, -50, 0.9), 'no sure music yet').toBe(false);
    run(f, 50, true, true, -50, 0.9);
    expect(run(f, 200, true, false, -50, 0.9)).toBe(true);
    expect(run(f, 1, false, false, -50, 0.9), 'out of hold').toBe(false);
    expect(run(f, 200, true, false, -50, 0.9), 'the level is forgotten').toBe(false);
    run(f, 50, true, true, -50, 0.9);
    f.reset();
    expect(run(f, 200, true, false, -50, 0.9)).toBe(false);
  });

  it('follows the music’s floor smoothly (about a second), not one frame', () => {
    const f = new HoldMusicFloor({ marginDb: 3 });
    run(f, 100, true, true, -40, 0.9);
    // One quiet frame of sure music moves the level by 2 % of the step only.
    f.push(true, true, -70, 0.9);
    expect(run(f, 150, true, false, -43, 0.9)).toBe(true);
    // A second of music at −60 brings it down: a voice over −60 pauses is now over the music.
    run(f, 300, true, true, -60, 0.9);
    expect(run(f, 150, true, false, -61, 0.9)).toBe(true);
  });
});
