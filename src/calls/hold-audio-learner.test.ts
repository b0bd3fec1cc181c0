import { describe, expect, it } from 'vitest';
import type { HoldDecision } from '../detect/types.js';
import { HoldAudioLearner, STREAM_START_SECONDS } from './hold-audio-learner.js';

const hold = (cause: string, onsetMs: number, confident = true): HoldDecision => ({
  state: 'hold',
  onsetMs,
  cause,
  confident,
});
/** A release decided at `atMs`, the music surely playing until `musicEndMs` (default: then). */
const end = (cause: string, atMs: number, musicEndMs = atMs): HoldDecision => ({
  state: 'no-hold',
  onsetMs: atMs,
  cause,
  confident: true,
  musicEndMs,
});

/** A learner with a call clock: `feed` sends `seconds` of frames of `value` at call time. */
function learnerWithClock(learn: (name: string, pcm: Int16Array, musicFromSample: number) => void) {
  const learner = new HoldAudioLearner('care/call-1', learn);
  let nowMs = 0;
  return {
    learner,
    now: () => nowMs,
    feed: (seconds: number, value: number): void => {
      const frame = new Int16Array(160).fill(value);
      for (let i = 0; i < seconds * 50; i++) {
        learner.frame(frame, nowMs);
        nowMs += 20;
      }
    },
  };
}

describe('learning hold music', () => {
  it('hands a classifier episode to the library when it ends, from where the hold was decided', () => {
    const learned: [string, Int16Array][] = [];
    const { learner, feed, now } = learnerWithClock((name, pcm) => learned.push([name, pcm]));
    feed(STREAM_START_SECONDS + 2, 1); // agent, past the stream's start
    feed(1.5, 7); // music before the classifier decided
    // Decided 1.5 s into the music, dated back 3 s: into the agent's last words.
    learner.decision(hold('music-classifier', now() - 3000));
    feed(8, 7);
    learner.decision(end('music-classifier', now()));
    feed(2, 1);
    expect(learned).toHaveLength(1);
    expect(learned[0]![0]).toBe('care/call-1#1');
    expect(learned[0]![1].length).toBe(8 * 8000);
    expect(learned[0]![1].every((v) => v === 7)).toBe(true);
  });

  it('learns nothing after the release’s musicEndMs: the agent the classifier needed to let go', () => {
    const learned: Int16Array[] = [];
    const { learner, feed, now } = learnerWithClock((_n, pcm) => learned.push(pcm));
    learner.decision(hold('music-classifier', now()));
    feed(26, 7); // music
    const agentFrom = now();
    feed(9, 1); // the agent talks; the classifier lets go 9 s in, the music ended 3 s before its change point
    learner.decision(end('music-classifier', now(), agentFrom - 500));
    learner.close();
    expect(learned.map((p) => p.length / 8000)).toEqual([20, 5.5]);
    expect(learned.every((p) => p.every((v) => v === 7))).toBe(true);
  });

  it('holds back enough for the default exit evidence on a voice that scores 0.2 (an 18 s release)', () => {
    const learned: Int16Array[] = [];
    const { learner, feed, now } = learnerWithClock((_n, pcm) => learned.push(pcm));
    learner.decision(hold('music-classifier', now()));
    feed(15, 7); // music
    const agentFrom = now();
    feed(18, 1); // 9 s of evidence at 0.2 per frame: the classifier lets go 18 s in
    learner.decision(end('music-classifier', now(), agentFrom - 500));
    learner.close();
    expect(learned.map((p) => p.length / 8000)).toEqual([14.5]);
    expect(learned.every((p) => p.every((v) => v === 7))).toBe(true);
  });

  it('a new source ends the episode where the music surely played, and forgets a known match', () => {
    const learned: Int16Array[] = [];
    const { learner, feed, now } = learnerWithClock((_n, pcm) => learned.push(pcm));
    learner.decision(hold('music-classifier', now()));
    feed(12, 7);
    learner.sourceChanged(now() - 3000);
    feed(2, 1); // the agent on the new source: not learned
    learner.decision(hold('known-music', now()));
    learner.sourceChanged(now());
    learner.decision(hold('music-classifier', now()));
    feed(6, 5);
    learner.close();
    expect(learned.map((p) => p.length / 8000)).toEqual([9, 6]);
    expect(learned[0]!.every((v) => v === 7)).toBe(true);
    expect(learned[1]!.every((v) => v === 5)).toBe(true);
  });

  it('hands long episodes over in 20 s chunks; skips short, unsure and already-known ones', () => {
    const learned: Int16Array[] = [];
    const { learner, feed, now } = learnerWithClock((_n, pcm) => learned.push(pcm));
    learner.decision(hold('music-classifier', now()));
    feed(47, 3);
    learner.close();
    // 20 + 20 + 7 s.
    expect(learned.map((p) => p.length / 8000)).toEqual([20, 20, 7]);
    learner.decision(hold('music-classifier', now()));
    feed(3, 3);
    learner.decision(end('music-classifier', now()));
    learner.decision(hold('music-classifier', now(), false));
    feed(10, 3);
    learner.decision(end('music-classifier', now()));
    learner.decision(hold('known-music', now()));
    learner.decision(hold('music-classifier', now()));
    feed(10, 3);
    learner.decision(end('music-classifier', now()));
    expect(learned).toHaveLength(3);
  });

  it('learns a hold decided within the stream’s first seconds from its first frame, and says where the music surely plays', () => {
    const learned: [Int16Array, number][] = [];
    const { learner, feed, now } = learnerWithClock((_n, pcm, from) => learned.push([pcm, from]));
    feed(9, 2); // the queue's welcome over its music, which the classifier hears only 9 s in
    learner.decision(hold('music-classifier', now() - 2000));
    feed(25, 7); // the music on
    learner.close();
    // 9 s of the start and 11 s of music, then the remaining 14 s of music.
    expect(learned.map(([pcm, from]) => [pcm.length / 8000, from / 8000])).toEqual([
      [20, 9],
      [14, 0],
    ]);
    expect(learned[0]![0].subarray(0, 9 * 8000).every((v) => v === 2)).toBe(true);
    expect(learned[0]![0].subarray(9 * 8000).every((v) => v === 7)).toBe(true);
  });

  it('lets the start go once its seconds are over or a sure known match holds, and keeps it again from a new source', () => {
    const learned: [Int16Array, number][] = [];
    const { learner, feed, now } = learnerWithClock((_n, pcm, from) => learned.push([pcm, from]));
    feed(STREAM_START_SECONDS, 1); // a whole start without a hold
    learner.decision(hold('music-classifier', now()));
    feed(6, 7);
    learner.sourceChanged(now()); // learned from the decision: 6 s
    feed(2, 3); // the new source's start: kept through a provisional match...
    learner.decision({ ...hold('known-music', now(), false), provisional: true });
    feed(1, 3);
    learner.decision(hold('music-classifier', now()));
    feed(6, 7);
    learner.close(); // ...so learned from the new source's first frame
    feed(1, 3);
    expect(learned.map(([pcm, from]) => [pcm.length / 8000, from / 8000])).toEqual([
      [6, 0],
      [9, 3],
    ]);
    learner.sourceChanged(now());
    feed(1, 3);
    learner.decision(hold('known-music', now())); // a sure match: nothing to learn, start gone
    learner.decision(end('known-music', now()));
    learner.decision(hold('music-classifier', now()));
    feed(6, 7);
    learner.close();
    expect(learned.map(([pcm, from]) => [pcm.length / 8000, from / 8000])).toEqual([
      [6, 0],
      [9, 3],
      [6, 0],
    ]);
  });

  it('learns a start with music after it, however short, and skips one with none', () => {
    const learned: [Int16Array, number][] = [];
    const { learner, feed, now } = learnerWithClock((_n, pcm, from) => learned.push([pcm, from]));
    feed(8, 2);
    learner.decision(hold('music-classifier', now()));
    feed(2, 7);
    learner.decision(end('music-classifier', now()));
    expect(learned.map(([pcm, from]) => [pcm.length / 8000, from / 8000])).toEqual([[10, 8]]);
    learner.sourceChanged(now());
    feed(8, 2);
    learner.decision(hold('music-classifier', now()));
    feed(3, 1); // the agent: the music surely ended where the classifier decided
    learner.decision(end('music-classifier', now(), now() - 3000));
    expect(learned).toHaveLength(1);
  });
});
