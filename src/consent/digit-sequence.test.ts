import { describe, expect, it } from 'vitest';
import { DigitSequence, INTER_DIGIT_TIMEOUT_MS } from './digit-sequence.js';

/** Feeds `[digit, atMs]` presses and returns what each push answered. */
function feed(target: string, presses: readonly (readonly [string, number])[]): boolean[] {
  const seq = new DigitSequence(target);
  return presses.map(([d, at]) => seq.push(d, at));
}

describe('DigitSequence (suffix match, inter-digit timeout)', () => {
  it('uses a 3 s inter-digit timeout', () => {
    expect(INTER_DIGIT_TIMEOUT_MS).toBe(3000);
  });

  it('*9 typed promptly matches on the 9', () => {
    expect(
      feed('*9', [
        ['*', 1000],
        ['9', 1500],
      ]),
    ).toEqual([false, true]);
  });

  it('*, a 4 s pause, then 9 does not match', () => {
    expect(
      feed('*9', [
        ['*', 1000],
        ['9', 5000],
      ]),
    ).toEqual([false, false]);
  });

  it('a gap of exactly the timeout still counts; one ms more does not', () => {
    expect(
      feed('*9', [
        ['*', 0],
        ['9', 3000],
      ]),
    ).toEqual([false, true]);
    expect(
      feed('*9', [
        ['*', 0],
        ['9', 3001],
      ]),
    ).toEqual([false, false]);
  });

  it('**9 matches (suffix)', () => {
    expect(
      feed('*9', [
        ['*', 0],
        ['*', 400],
        ['9', 800],
      ]),
    ).toEqual([false, false, true]);
  });

  it('9 alone does not match *9, nor 9 then *', () => {
    expect(feed('*9', [['9', 0]])).toEqual([false]);
    expect(
      feed('*9', [
        ['9', 0],
        ['*', 300],
      ]),
    ).toEqual([false, false]);
  });

  it('a one-key target matches every press of that key', () => {
    expect(
      feed('9', [
        ['9', 0],
        ['9', 100],
        ['1', 200],
        ['9', 10_000],
      ]),
    ).toEqual([true, true, false, true]);
  });

  it('starts over after a match: 999 against 99 matches once, 9999 twice', () => {
    expect(
      feed('99', [
        ['9', 0],
        ['9', 200],
        ['9', 400],
        ['9', 600],
      ]),
    ).toEqual([false, true, false, true]);
  });

  it('a pause in the middle of a longer target starts over', () => {
    expect(
      feed('*#9', [
        ['*', 0],
        ['#', 1000],
        ['9', 5000],
        ['*', 5500],
        ['#', 6000],
        ['9', 6500],
      ]),
    ).toEqual([false, false, false, false, false, true]);
  });

  it('other keys in between break the sequence', () => {
    expect(
      feed('*9', [
        ['*', 0],
        ['5', 100],
        ['9', 200],
      ]),
    ).toEqual([false, false, false]);
  });
});
