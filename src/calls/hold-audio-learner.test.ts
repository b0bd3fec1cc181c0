import { describe, expect, it } from 'vitest';
import type { HoldDecision } from '../detect/types.js';
import { HoldAudioLearner } from './hold-audio-learner.js';

const hold = (cause: string, confident = true): HoldDecision => ({
  state: 'hold',
  onsetMs: 0,
  cause,
  confident,
});
const end = (cause: string): HoldDecision => ({
  state: 'no-hold',
  onsetMs: 0,
  cause,
  confident: true,
});

function feed(learner: HoldAudioLearner, seconds: number, value: number): void {
  const frame = new Int16Array(160).fill(value);
  for (let i = 0; i < seconds * 50; i++) learner.frame(frame);
}

describe('learning hold music', () => {
  it('hands a classifier episode to the library when it ends', () => {
    const learned: [string, Int16Array][] = [];
    const learner = new HoldAudioLearner('care/call-1', (name, pcm) => learned.push([name, pcm]));
    feed(learner, 2, 1); // before the episode: not kept
    learner.decision(hold('music-classifier'));
    feed(learner, 8, 7);
    learner.decision(end('music-classifier'));
    feed(learner, 2, 1);
    expect(learned).toHaveLength(1);
    expect(learned[0]![0]).toBe('care/call-1#1');
    expect(learned[0]![1].length).toBe(8 * 8000);
    expect(learned[0]![1].every((v) => v === 7)).toBe(true);
  });

  it('keeps at most 20 s, skips short, unsure and already-known episodes', () => {
    const learned: Int16Array[] = [];
    const learner = new HoldAudioLearner('q', (_n, pcm) => learned.push(pcm));
    learner.decision(hold('music-classifier'));
    feed(learner, 30, 3);
    learner.close();
    expect(learned[0]?.length).toBe(20 * 8000);
    learner.decision(hold('music-classifier'));
    feed(learner, 3, 3);
    learner.decision(end('music-classifier'));
    learner.decision(hold('music-classifier', false));
    feed(learner, 10, 3);
    learner.decision(end('music-classifier'));
    learner.decision(hold('known-music'));
    learner.decision(hold('music-classifier'));
    feed(learner, 10, 3);
    learner.decision(end('music-classifier'));
    expect(learned).toHaveLength(1);
  });
});
