import { describe, expect, it } from 'vitest';
import type { HoldDecision, HoldMusicDetector } from '../types.js';
import { AnyHold } from '../any-hold.js';
import { MusicClassifierDetector } from '../classifier/music-classifier-detector.js';
import { mulawRoundTrip } from '../known-music/mulaw-round-trip.js';
import { allisonMonologue, ffmpegPcm, seededRandom } from '../known-music/test-signals.js';
import { SilentStartDetector } from './silent-start-detector.js';
import { START_JUDGE_MS, START_SOUND_FRAMES, StreamStartSound } from './stream-start-sound.js';

const D = 2500;

/** Allison's first `count` prompts, 0.3 s apart, 8 kHz, through G.711 µ-law. */
const allison = (count: number): Int16Array =>
  mulawRoundTrip(ffmpegPcm(allisonMonologue(0, count)), true);

/** `ms` of a line's faint noise (about −80 dBFS), then `pcm`. */
function afterSilence(pcm: Int16Array, ms: number): Int16Array {
  const rand = seededRandom(3);
  const out = new Int16Array(ms * 8 + pcm.length);
  for (let i = 0; i < ms * 8; i++) out[i] = Math.round((rand() - 0.5) * 6);
  out.set(pcm, ms * 8);
  return out;
}

/**
 * What the gate hears from `detectors` over `pcm` from call time `fromMs`, combined as a call
 * combines them (`AnyHold`; a lone detector's decisions pass as they are), with the time of each.
 */
function heard(
  detectors: readonly HoldMusicDetector[],
  pcm: Int16Array,
  fromMs = 0,
): (HoldDecision & { at: number })[] {
  const any = new AnyHold(detectors);
  const out: (HoldDecision & { at: number })[] = [];
  for (let k = 0; (k + 1) * 160 <= pcm.length; k++) {
    const frame = pcm.subarray(k * 160, (k + 1) * 160);
    detectors.forEach((det, i) => {
      const d = det.push(frame, fromMs + k * 20);
      const decision = d && any.decide(i, d);
      if (decision) out.push({ ...decision, at: fromMs + k * 20 });
    });
  }
  return out;
}

/** The detector's decisions over `pcm` from call time `fromMs`, with the time of each. */
const run = (det: SilentStartDetector, pcm: Int16Array, fromMs = 0) => heard([det], pcm, fromMs);

/** The classifier (with the delay line) and the silent start side by side. */
const runBesideClassifier = (pcm: Int16Array, fromMs = 0) =>
  heard([new MusicClassifierDetector({ delayLineMs: D }), new SilentStartDetector(D)], pcm, fromMs);

describe('StreamStartSound', () => {
  it('silent until enough frames of sound, sounding for the judgement time, then judged for good', () => {
    const s = new StreamStartSound(-48);
    // A click does not end the silence; the line's noise never does.
    expect(s.push(-20, 0)).toBe('silent');
    for (let t = 20; t < 2000; t += 20) expect(s.push(-70, t)).toBe('silent');
    // Frames of sound count wherever they fall: with the click, the ninth more ends the silence.
    const phases = Array.from({ length: START_SOUND_FRAMES - 1 }, (_, i) =>
      s.push(-30, 2000 + i * 20),
    );
    expect(phases.at(-1)).toBe('sounding');
    expect(phases.slice(0, -1).every((p) => p === 'silent')).toBe(true);
    const soundMs = 2000 + (START_SOUND_FRAMES - 2) * 20;
    expect(s.push(-70, soundMs + START_JUDGE_MS - 20)).toBe('sounding');
    expect(s.push(-70, soundMs + START_JUDGE_MS)).toBe('judged');
    expect(s.push(-70, soundMs + 10 * START_JUDGE_MS)).toBe('judged');
    s.reset();
    expect(s.push(-70, 0)).toBe('silent');
  });
});

describe('SilentStartDetector (a queue without the classifier)', () => {
  it('an agent who speaks after 4 s of silence: paused from the first frame, given back with the voice', () => {
    const d = run(new SilentStartDetector(D), afterSilence(allison(8), 4000), 1000);
    expect(d[0]).toEqual({
      state: 'hold',
      onsetMs: 1000,
      cause: 'silent-start',
      confident: false,
      provisional: true,
      at: 1000 + D,
    });
    expect(d[1]).toMatchObject({ state: 'no-hold', onsetMs: 1000, provisional: true });
    expect(d).toHaveLength(2);
    // Judged 1.5 s after the voice began: what left the delay line while paused lies in the silence.
    expect(d[1]!.at - D).toBeLessThan(1000 + 4000);
    expect(d[1]!.at).toBeGreaterThanOrEqual(1000 + 4000 + START_JUDGE_MS);
  });

  it('a voice within the first second: not paused, or given back whole; a silent stream stays paused', () => {
    expect(run(new SilentStartDetector(D), afterSilence(allison(8), 500))).toEqual([]);
    // After 0.8 s of silence the voice is still being judged when the stream's first frame reaches
    // the delay line's exit: paused from there until the judgement, which gives back the voice.
    const late = run(new SilentStartDetector(D), afterSilence(allison(8), 800));
    expect(late).toMatchObject([
      { state: 'hold', onsetMs: 0, provisional: true, at: D },
      { state: 'no-hold', onsetMs: 0, provisional: true },
    ]);
    expect(late[1]!.at - D).toBeLessThan(800);
    const silent = run(new SilentStartDetector(D), afterSilence(new Int16Array(0), 20_000));
    expect(silent).toEqual([
      {
        state: 'hold',
        onsetMs: 0,
        cause: 'silent-start',
        confident: false,
        provisional: true,
        at: D,
      },
    ]);
  });

  it('knows where a hold decided now would begin while its start is open, and starts over on reset', () => {
    const det = new SilentStartDetector(D);
    expect(det.pendingOnsetMs).toBeUndefined();
    expect(det.hearsSilenceBeforeStream).toBe(true);
    const open = det.stateBytes;
    expect(open).toBeGreaterThan(10_000); // the frame features
    run(det, afterSilence(allison(8), 4000), 500);
    expect(det.pendingOnsetMs).toBeUndefined(); // judged
    expect(det.stateBytes).toBeLessThan(1000); // the frame features let go
    // A new source: its start is open again, and a silent one is paused again.
    det.reset();
    expect(det.stateBytes).toBe(open);
    run(det, afterSilence(new Int16Array(0), 1000), 9000);
    expect(det.pendingOnsetMs).toBe(9000);
    expect(det.openStartMs).toBe(9000);
    expect(run(det, afterSilence(new Int16Array(0), 3000), 10_000)).toMatchObject([
      { state: 'hold', onsetMs: 9000, provisional: true, at: 9000 + D },
    ]);
    expect(() => new SilentStartDetector(0)).toThrow(RangeError);
  });
});

describe('SilentStartDetector beside the classifier (a queue with it)', () => {
  /** Heard within a second or two of its first note (the_simplicity's sparse notes take longer). */
  const ROBOT_DITY = '/usr/share/asterisk/moh/macroform-robot_dity.wav';
  const MORNING_COFFEE = '/usr/share/asterisk/moh/manolo_camp-morning_coffee.wav';
  const SIMPLICITY = '/usr/share/asterisk/moh/macroform-the_simplicity.wav';
  /** The first 10 s of a hold-music file, 6 dB down, through G.711 µ-law. */
  const mohTrack = (path: string): Int16Array =>
    mulawRoundTrip(ffmpegPcm(['-t', '10', '-i', path, '-af', 'volume=-6dB']), true);

  it('a queue wait whose music begins after 3 s of silence: paused from the stream start, never let go', () => {
    const music = mohTrack(ROBOT_DITY);
    const d = runBesideClassifier(afterSilence(music, 3000), 1000);
    // Paused when the silence reaches the delay line's exit, from the stream's first frame …
    expect(d[0]).toEqual({
      state: 'hold',
      onsetMs: 1000,
      cause: 'silent-start',
      confident: false,
      provisional: true,
      at: 1000 + D,
    });
    // … the classifier decides the hold on the music while the start is still open, and the
    // judgement of the start then lets nothing go.
    expect(d[1]).toMatchObject({ state: 'hold', cause: 'music-classifier' });
    expect(d[1]!.at).toBeLessThan(1000 + 3000 + START_JUDGE_MS + 1000);
    expect(d.filter((x) => x.state === 'no-hold')).toEqual([]);
  });

  it('an agent who speaks after 3 s of silence: the pause ends at its start, none of the voice lost', () => {
    const d = runBesideClassifier(afterSilence(allison(12), 3000), 1000);
    expect(d[0]).toMatchObject({ state: 'hold', onsetMs: 1000, provisional: true, at: 1000 + D });
    expect(d[1]).toMatchObject({ state: 'no-hold', onsetMs: 1000, provisional: true });
    expect(d).toHaveLength(2);
    // What left the delay line while paused lies in the silence: the voice starts at 4000 ms.
    expect(d[1]!.at - D).toBeLessThanOrEqual(1000 + 3000);
    expect(d[1]!.at - D).toBeGreaterThan(1000);
  });

  it('speech after 0.8 s of silence: any pause ends before the voice leaves the delay line', () => {
    const d = runBesideClassifier(afterSilence(allison(12), 800));
    expect(d.every((x) => x.provisional === true && x.onsetMs === 0)).toBe(true);
    expect(d.at(-1)?.state ?? 'no-hold').toBe('no-hold');
    for (const x of d) if (x.state === 'no-hold') expect(x.at - D).toBeLessThan(800);
  });

  it('a queue wait whose PBX sends its first packet 0.6 s after the answer, music from the first note: held from the answer', () => {
    // What a call feeds them: the silent start hears the time before the first packet as
    // silence, the classifier hears the stream from its first packet (its look is tuned so).
    // The music: the_simplicity from 20 s on, which the classifier's stream-start look holds.
    const music = mulawRoundTrip(
      ffmpegPcm(['-ss', '20', '-t', '10', '-i', SIMPLICITY, '-af', 'volume=-6dB']),
      true,
    );
    const classifier = new MusicClassifierDetector({ delayLineMs: D });
    const start = new SilentStartDetector(D);
    const silence = new Int16Array(160);
    for (let t = 1000; t < 1600; t += 20) expect(start.push(silence, t)).toBeUndefined();
    const out = heard([classifier, start], music, 1600);
    // The look holds from the stream's first packet; the hold begins at the answer.
    expect(out[0]).toMatchObject({
      state: 'hold',
      cause: 'music-classifier',
      onsetMs: 1000,
      confident: false,
      at: 1600 + 480,
    });
    expect(out.filter((x) => x.state === 'no-hold')).toEqual([]);
  });

  it('a queue wait whose music begins after 1 s of silence: paused while its first sound is judged, never let go', () => {
    // Heard some 2.5 s after its first note: later than the delay line allows for the silence.
    const music = mohTrack(MORNING_COFFEE);
    const d = runBesideClassifier(afterSilence(music, 1000), 1000);
    // The music's first sound is still being judged when the stream's first frame reaches the
    // delay line's exit: paused from that frame, before the classifier is sure of the music.
    expect(d[0]).toMatchObject({
      state: 'hold',
      onsetMs: 1000,
      cause: 'silent-start',
      provisional: true,
      at: 1000 + D,
    });
    expect(d[1]).toMatchObject({ state: 'hold', cause: 'music-classifier' });
    expect(d.filter((x) => x.state === 'no-hold')).toEqual([]);
  });
});
