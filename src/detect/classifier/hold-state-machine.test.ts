import { describe, it, expect } from 'vitest';
import { HoldStateMachine, type HoldTransition } from './hold-state-machine.js';

/** Feeds `[score, ms]` segments frame by frame (20 ms); returns the transitions with their time. */
function feed(
  m: HoldStateMachine,
  segments: [number, number][],
): (HoldTransition & { at: number })[] {
  const out: (HoldTransition & { at: number })[] = [];
  let t = 0;
  for (const [score, ms] of segments) {
    for (let end = t + ms; t < end; t += 20) {
      const tr = m.push(score, t);
      if (tr) out.push({ ...tr, at: t });
    }
  }
  return out;
}

describe('HoldStateMachine hysteresis', () => {
  const opts = {
    smoothMs: 20,
    enterScore: 0.6,
    enterMs: 400,
    exitScore: 0.4,
    exitMs: 4000,
    enterBackdateMs: 1000,
    exitBackdateMs: 500,
  };

  it('enters after enterMs of high score, backdated, confident when clearly high', () => {
    const tr = feed(new HoldStateMachine(opts), [
      [0.1, 5000],
      [0.95, 3000],
    ]);
    expect(tr).toEqual([{ state: 'hold', onsetMs: 4000, confident: true, at: 5400 }]);
  });

  it('ignores a high blip shorter than enterMs', () => {
    expect(
      feed(new HoldStateMachine(opts), [
        [0.1, 2000],
        [0.95, 300],
        [0.1, 5000],
      ]),
    ).toEqual([]);
  });

  it('stays on hold through a 3 s announcement, leaves after 4 s of speech', () => {
    const m = new HoldStateMachine(opts);
    const tr = feed(m, [
      [0.95, 5000],
      [0.05, 3000],
      [0.95, 5000],
      [0.05, 6000],
    ]);
    expect(tr.map((x) => x.state)).toEqual(['hold', 'no-hold']);
    const release = tr[1]!;
    expect(release.at).toBe(13000 + 4000);
    expect(release.onsetMs).toBe(13000 - 500);
    expect(m.state).toBe('no-hold');
  });

  it('grey-zone scores give an unconfident hold, upgraded once the score is clear', () => {
    const tr = feed(new HoldStateMachine(opts), [
      [0.7, 2000],
      [0.95, 1000],
    ]);
    expect(tr.map((x) => [x.state, x.confident])).toEqual([
      ['hold', false],
      ['hold', true],
    ]);
  });

  it('scores between exit and enter thresholds change nothing in either state', () => {
    expect(feed(new HoldStateMachine(opts), [[0.5, 10000]])).toEqual([]);
    const m = new HoldStateMachine(opts);
    expect(
      feed(m, [
        [0.95, 2000],
        [0.5, 10000],
      ]).length,
    ).toBe(1);
    expect(m.state).toBe('hold');
  });

  it('reset returns to no-hold', () => {
    const m = new HoldStateMachine(opts);
    feed(m, [[0.95, 2000]]);
    m.reset();
    expect(m.state).toBe('no-hold');
  });
});
