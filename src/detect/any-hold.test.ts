import { describe, expect, it } from 'vitest';
import { AnyHold, OPEN_ONSET_BACKDATE_MS } from './any-hold.js';
import type { HoldDecision, HoldMusicDetector } from './types.js';

/** A detector that decides nothing itself (the tests feed `decide` by hand). */
const quiet = (pendingOnsetMs?: number): HoldMusicDetector => ({
  push: () => undefined,
  stateBytes: 0,
  reset: () => undefined,
  pendingOnsetMs,
});

const decision = (state: HoldDecision['state'], onsetMs: number, cause: string): HoldDecision => ({
  state,
  onsetMs,
  cause,
  confident: true,
});

describe('AnyHold', () => {
  it('holds while any detector says hold and ends with the last one', () => {
    const any = new AnyHold([quiet(), quiet()]);
    const known = decision('hold', 10_000, 'known-music');
    expect(any.decide(0, known)).toBe(known);
    expect(any.holding).toBe(true);
    // The second detector's hold still goes out (the gate keeps the first onset).
    const classifier = decision('hold', 9_000, 'music-classifier');
    expect(any.decide(1, classifier)).toBe(classifier);
    // One letting go changes nothing while the other holds; the last one's end goes out.
    expect(any.decide(0, decision('no-hold', 20_000, 'known-music'))).toBeUndefined();
    expect(any.holding).toBe(true);
    const end = decision('no-hold', 22_000, 'music-classifier');
    expect(any.decide(1, end)).toBe(end);
    expect(any.holding).toBe(false);
    // A no-hold out of hold is no change.
    expect(any.decide(1, end)).toBeUndefined();
  });

  it('ends at the latest end any detector reported, not at the last one’s backdated end', () => {
    const any = new AnyHold([quiet(), quiet()]);
    any.decide(0, decision('hold', 5_000, 'known-music'));
    any.decide(1, decision('hold', 7_000, 'music-classifier'));
    // The fingerprint loses the music where it ends; the classifier lets go later but dates its
    // end before that.
    expect(any.decide(0, decision('no-hold', 12_740, 'known-music'))).toBeUndefined();
    expect(any.decide(1, decision('no-hold', 12_400, 'music-classifier'))).toEqual(
      decision('no-hold', 12_740, 'music-classifier'),
    );
    // The next episode starts afresh.
    any.decide(1, decision('hold', 30_000, 'music-classifier'));
    const end = decision('no-hold', 40_000, 'music-classifier');
    expect(any.decide(1, end)).toBe(end);
  });

  it('an open onset starts the episode a little earlier, or at an earlier onset another detector is gathering', () => {
    // The classifier has been gathering evidence since 6 s (backdated); known music matched
    // learned audio from 9 s on.
    const any = new AnyHold([quiet(), quiet(6_000)]);
    const open: HoldDecision = { ...decision('hold', 9_000, 'known-music'), onsetOpen: true };
    expect(any.decide(0, open)).toEqual({ ...open, onsetMs: 6_000 });
    // A later hold in the same episode goes out as it is.
    const classifier = decision('hold', 5_000, 'music-classifier');
    expect(any.decide(1, classifier)).toBe(classifier);
    // Not open: the onset stands.
    const plain = decision('hold', 9_000, 'known-music');
    expect(new AnyHold([quiet(), quiet(6_000)]).decide(0, plain)).toBe(plain);
    // Open with nothing pending, or pending later than the backdate: OPEN_ONSET_BACKDATE_MS earlier.
    const early = { ...open, onsetMs: 9_000 - OPEN_ONSET_BACKDATE_MS };
    expect(new AnyHold([quiet(), quiet()]).decide(0, open)).toEqual(early);
    expect(new AnyHold([quiet(), quiet(8_800)]).decide(0, open)).toEqual(early);
    // The detector's own pending onset does not count.
    expect(new AnyHold([quiet(1_000), quiet()]).decide(0, open)).toEqual(early);
    // Never before the call.
    const atStart = { ...open, onsetMs: 200 };
    expect(new AnyHold([quiet(), quiet()]).decide(0, atStart)).toEqual({ ...open, onsetMs: 0 });
  });

  it('a first hold decided while another detector holds the stream’s start open begins at that start', () => {
    // The silent start has held the stream's start open since 0.2 s (the answer: silence until
    // the PBX's first packet at 0.7 s); the classifier's look holds from that first packet.
    const start: HoldMusicDetector = { ...quiet(200), openStartMs: 200 };
    const any = new AnyHold([quiet(), start]);
    const look: HoldDecision = { ...decision('hold', 700, 'music-classifier'), confident: false };
    expect(any.decide(0, look)).toEqual({ ...look, onsetMs: 200 });
    // A later hold of the same episode goes out as it is (the gate keeps the first onset).
    const sure = decision('hold', 700, 'music-classifier');
    expect(any.decide(0, sure)).toBe(sure);
    any.decide(0, decision('no-hold', 9_000, 'music-classifier'));
    // An onset before the open start, and a start no longer open, change nothing.
    const earlier = decision('hold', 100, 'music-classifier');
    expect(any.decide(0, earlier)).toBe(earlier);
    any.decide(0, decision('no-hold', 19_000, 'music-classifier'));
    const judged = new AnyHold([quiet(), quiet(200)]);
    const later = decision('hold', 20_000, 'music-classifier');
    expect(judged.decide(0, later)).toBe(later);
  });

  it('reset forgets who holds', () => {
    const any = new AnyHold([quiet()]);
    any.decide(0, decision('hold', 0, 'known-music'));
    any.reset();
    expect(any.holding).toBe(false);
  });
});
