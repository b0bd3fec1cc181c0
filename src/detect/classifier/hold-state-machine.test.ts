import { describe, it, expect } from 'vitest';
import {
  DEFAULT_HOLD_STATE_OPTIONS,
  HoldStateMachine,
  exitMsForAnnouncement,
  type HoldTransition,
} from './hold-state-machine.js';

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

describe('HoldStateMachine (two CUSUMs)', () => {
  // enterEvidence = 400/20 × (1 − 0.6) = 8; exitEvidence = 4000/20 × 0.4 = 80.
  const opts = {
    smoothMs: 20,
    enterScore: 0.6,
    enterMs: 400,
    confidentScore: 0.8,
    exitScore: 0.4,
    exitMs: 4000,
    enterBackdateMs: 1000,
    exitBackdateMs: 500,
    resumeAtChangePoint: true,
  };
  it('enter() holds at once, unsure; a confident score upgrades it, speech ends it', () => {
    const m = new HoldStateMachine(opts);
    expect(m.enter(0, false)).toEqual({ state: 'hold', onsetMs: 0, confident: false });
    expect(m.enter(100, true), 'already holding').toBeUndefined();
    expect(m.state).toBe('hold');
    // Grey-zone scores (0.5) change nothing; a score of 0.9 upgrades; then 0.2 gathers
    // 0.2 per frame against hold: 80 after 400 frames (8 s).
    const tr = feed(m, [
      [0.5, 1000],
      [0.9, 40],
      [0.2, 9000],
    ]);
    expect(tr[0]).toEqual({ state: 'hold', onsetMs: 1000, confident: true, at: 1000 });
    expect(tr[1]).toMatchObject({ state: 'no-hold', onsetMs: 1040 - 500, confident: true });
    expect(tr[1]!.at - 1040, 'about 400 frames of 0.2 (float sums)').toBeGreaterThanOrEqual(7980);
    expect(tr[1]!.at - 1040).toBeLessThanOrEqual(8020);
    expect(tr).toHaveLength(2);
  });

  it('enters once the evidence is gathered, onset = where the sum left zero − backdate', () => {
    // Score 1: +0.4 per frame → 8 after 20 frames (the 20th frame at 5380 ms).
    const tr = feed(new HoldStateMachine(opts), [
      [0.1, 5000],
      [1, 3000],
    ]);
    expect(tr).toEqual([{ state: 'hold', onsetMs: 4000, confident: true, at: 5380 }]);
  });
  it('pendingOnsetMs: the onset a hold decided now would report, while evidence gathers', () => {
    const m = new HoldStateMachine(opts);
    feed(m, [[0.1, 5000]]);
    expect(m.pendingOnsetMs, 'no evidence').toBeUndefined();
    // 10 frames of score 1 from 5000 ms: evidence 4 of 8, risen at 5000 ms.
    for (let t = 5000; t < 5200; t += 20) m.push(1, t);
    expect(m.state).toBe('no-hold');
    expect(m.pendingOnsetMs).toBe(4000);
    // Speech empties the sum again.
    for (let t = 5200; t < 5400; t += 20) m.push(0, t);
    expect(m.pendingOnsetMs).toBeUndefined();
    // In hold there is nothing pending.
    for (let t = 5400; t < 6000; t += 20) m.push(1, t);
    expect(m.state).toBe('hold');
    expect(m.pendingOnsetMs).toBeUndefined();
  });

  it('weaker evidence takes longer (score 0.8: +0.2 per frame → 40 frames)', () => {
    const tr = feed(new HoldStateMachine(opts), [
      [0.1, 5000],
      [0.8, 3000],
    ]);
    expect(tr.map((x) => x.at)).toEqual([5780]);
  });
  it('a high blip decays instead of accumulating across speech', () => {
    expect(
      feed(new HoldStateMachine(opts), [
        [0.1, 2000],
        [1, 300],
        [0.1, 2000],
        [1, 300],
        [0.1, 2000],
      ]),
    ).toEqual([]);
  });
  it('stays on hold through a 3 s announcement, leaves after 4 s of certain speech', () => {
    const m = new HoldStateMachine(opts);
    const tr = feed(m, [
      [1, 5000],
      [0, 3000],
      [1, 5000],
      [0, 6000],
    ]);
    expect(tr.map((x) => x.state)).toEqual(['hold', 'no-hold']);
    const release = tr[1]!;
    // +0.4 per frame from 13000 ms: 80 after 200 frames, the 200th at 16980 ms.
    expect(release.at).toBe(13000 + 4000 - 20);
    expect(release.onsetMs).toBe(13000 - 500);
    expect(m.state).toBe('no-hold');
  });
  it('by default a release takes effect where it is decided, not at the change point', () => {
    const tr = feed(new HoldStateMachine({ ...opts, resumeAtChangePoint: false }), [
      [1, 5000],
      [0, 6000],
    ]);
    expect(tr.map((x) => x.state)).toEqual(['hold', 'no-hold']);
    expect(tr[1]!.onsetMs).toBe(tr[1]!.at);
    expect(tr[1]!.at).toBe(5000 + 4000 - 20);
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
  it('reset returns to no-hold and forgets gathered evidence', () => {
    const m = new HoldStateMachine(opts);
    feed(m, [[0.95, 2000]]);
    m.reset();
    expect(m.state).toBe('no-hold');
    const m2 = new HoldStateMachine(opts);
    feed(m2, [[1, 360]]); // 18 frames: 7.2 of 8
    m2.reset();
    expect(feed(m2, [[1, 40]])).toEqual([]);
  });

  it.each([
    { affirmMs: 600, released: false },
    { affirmMs: 0, released: true },
  ])(
    'voice, 1 s of sure music, voice again: the music voids the first voice’s evidence (affirmMs $affirmMs → released $released)',
    ({ affirmMs, released }) => {
      // exitMs 9000: 180 units. 5 s of voice (+0.4 a frame) gathers 100; 1 s at 0.9 takes 25 off
      // without the clearing; 6 s more voice gathers 120: 195 ≥ 180 without it, 120 with it.
      const m = new HoldStateMachine({ exitMs: 9000, affirmMs });
      const tr = feed(m, [
        [1, 2000],
        [0, 5000],
        [0.9, 1000],
        [0, 6000],
      ]);
      expect(tr.map((t) => t.state)).toEqual(released ? ['hold', 'no-hold'] : ['hold']);
    },
  );

  describe("exit evidence from the queue's announcementSeconds", () => {
    it('a second less than the announcement, at least a second', () => {
      expect(exitMsForAnnouncement(10)).toBe(DEFAULT_HOLD_STATE_OPTIONS.exitMs);
      expect(exitMsForAnnouncement(7.8)).toBe(6800);
      expect(exitMsForAnnouncement(0), 'never less than a second').toBe(1000);
    });

    it.each([
      { announcementS: 10, heardS: 9.5, released: false },
      { announcementS: 10, heardS: 20, released: true },
      { announcementS: 5, heardS: 9.5, released: true },
    ])(
      'music, $heardS s of voice (the score falls after 1 s), music; announcementSeconds $announcementS: released $released',
      ({ announcementS, heardS, released }) => {
        const m = new HoldStateMachine({ exitMs: exitMsForAnnouncement(announcementS) });
        const tr = feed(m, [
          [1, 10_000],
          [0.9, 1000],
          [0.02, (heardS - 1) * 1000],
          [1, 5000],
        ]);
        expect(tr[0]).toMatchObject({ state: 'hold' });
        const release = tr.find((t) => t.state === 'no-hold');
        if (!released) {
          expect(tr).toHaveLength(1);
        } else {
          // Decided where the evidence (0.38 per frame) reached exitMs × 0.4 / 20.
          const due = 11_000 + (exitMsForAnnouncement(announcementS) * 0.4) / 0.38;
          expect(Math.abs(release!.at - due)).toBeLessThanOrEqual(40);
          expect(release!.onsetMs, 'takes effect where decided').toBe(release!.at);
        }
      },
    );
  });

  it('voiceOverMs: a voice with the music under it adds no evidence against hold, for so long at most', () => {
    const o = { ...opts, exitMs: 4000, voiceOverMs: 3000, affirmMs: 0 };
    /** Release time (ms after the voice began) of 20 s of voice at score 0 after 4 s of music. */
    const releaseAfter = (options: typeof o, musicUnder: boolean): number | undefined => {
      const m = new HoldStateMachine(options);
      let t = 0;
      for (; t < 4000; t += 20) m.push(1, t);
      for (; t < 24_000; t += 20) {
        if (m.push(0, t, musicUnder)?.state === 'no-hold') return t - 4000;
      }
      return undefined;
    };
    const plain = releaseAfter(o, false)!;
    expect(plain).toBeGreaterThan(3900);
    expect(plain).toBeLessThan(4100);
    // Under the music: the voice-over's first 3 s count for nothing, then it counts as any voice.
    expect(releaseAfter(o, true)).toBe(plain + 3000);
    expect(releaseAfter({ ...o, voiceOverMs: 0 }, true)).toBe(plain);
    // Confident music between two voice-overs gives the next one its full allowance again.
    const m = new HoldStateMachine(o);
    let t = 0;
    for (; t < 4000; t += 20) m.push(1, t);
    for (; t < 7000; t += 20) m.push(0, t, true);
    for (; t < 8000; t += 20) m.push(1, t);
    const start = t;
    let released: number | undefined;
    for (; t < 30_000 && released === undefined; t += 20) {
      if (m.push(0, t, true)?.state === 'no-hold') released = t - start;
    }
    expect(released).toBe(plain + 3000);
  });
});

describe('HoldStateMachine: provisional pauses against the delay line', () => {
  // Defaults: enterScore 0.4, enterMs 500 → entry evidence 25 × 0.6 = 15, half of it 7.5;
  // enterBackdateMs 2000, so with D = 2500 a pending onset reaches the delay line's exit once the
  // evidence has been rising for 500 ms.
  const d = { delayLineMs: 2500 };
  /** 5 s of speech (0.1), then 52 frames of grey evidence (0.55: +0.15 a frame, 7.8 in all). */
  const rising: [number, number][] = [
    [0.1, 5000],
    [0.55, 52 * 20],
  ];

  it('pauses on a confident frame once the onset has reached the exit with half the evidence', () => {
    const tr = feed(new HoldStateMachine(d), [...rising, [0.85, 20], [0, 1000]]);
    // The 0.85 frame at 6040 ms: evidence rose from 5000 ms, onset 3000 ≤ 6040 − 2500.
    expect(tr[0]).toEqual({
      state: 'hold',
      onsetMs: 3000,
      confident: false,
      provisional: true,
      at: 6040,
    });
    // Scores of 0 spend the 8.25 of evidence in 21 frames: the pause ends at its own onset.
    expect(tr[1]).toMatchObject({ state: 'no-hold', onsetMs: 3000, provisional: true });
    expect(tr[1]!.at).toBe(6060 + 20 * 20);
    expect(tr).toHaveLength(2);
  });

  it('becomes the hold when the evidence completes, with the same onset', () => {
    const tr = feed(new HoldStateMachine(d), [...rising, [0.85, 20], [0.9, 1000]]);
    expect(tr[0]).toMatchObject({ state: 'hold', confident: false, provisional: true, at: 6040 });
    // 15 − 8.25 = 6.75 more at +0.5 a frame: the 14th frame of 0.9 decides.
    expect(tr[1]).toEqual({ state: 'hold', onsetMs: 3000, confident: true, at: 6060 + 13 * 20 });
    expect(tr).toHaveLength(2);
  });

  it('does not pause before the onset reaches the exit, below half the evidence, or with D unset', () => {
    // Confident frames with over half the evidence (8.25 after 300 ms of 0.95) while the onset
    // (3000) is still ahead of the exit (5300 − 2500); by the time it is not, none is confident.
    expect(
      feed(new HoldStateMachine(d), [
        [0.1, 5000],
        [0.95, 300],
        [0.45, 700],
        [0, 1000],
      ]),
    ).toEqual([]);
    // Confident frames after 500 ms, but with a quarter of the evidence.
    expect(
      feed(new HoldStateMachine(d), [
        [0.1, 5000],
        [0.45, 600],
        [0.85, 40],
        [0, 1000],
      ]),
    ).toEqual([]);
    // Everything a pause needs, but no delay line given: the machine's own judgement only.
    expect(feed(new HoldStateMachine(), [...rising, [0.85, 20], [0, 1000]])).toEqual([]);
  });
});
