import { join } from 'node:path';
import { describe, it, expect } from 'vitest';
import type { HoldDecision } from '../types.js';
import { mulawRoundTrip } from '../known-music/mulaw-round-trip.js';
import {
  agentThenMohTrack,
  allisonMonologue,
  ffmpegPcm,
  seededRandom,
} from '../known-music/test-signals.js';
import { DEFAULT_HOLD_STATE_OPTIONS } from './hold-state-machine.js';
import { MusicClassifierDetector } from './music-classifier-detector.js';

const MOH = '/usr/share/asterisk/moh/macroform-cold_day.wav';
const ALLISON = '/usr/share/asterisk/sounds/en_US_f_Allison';

/** {@link ffmpegPcm} through one G.711 µ-law hop with the media plane's codec (what a tap hears). */
function decode(args: string[]): Int16Array {
  return mulawRoundTrip(ffmpegPcm(args), true);
}

/** {@link ffmpegPcm} (no codec yet), scaled to a peak of `peakDb` dBFS. */
function atPeak(args: string[], peakDb: number): Float64Array {
  const pcm = ffmpegPcm(args);
  let peak = 1;
  for (const v of pcm) peak = Math.max(peak, Math.abs(v));
  const g = (32767 * 10 ** (peakDb / 20)) / peak;
  return Float64Array.from(pcm, (v) => v * g);
}

type Timed = HoldDecision & { readonly at: number };

/** Decisions of a detector with `options` over `pcm` fed from call time `fromMs`, with their times. */
function runDetector(
  pcm: Int16Array,
  options: ConstructorParameters<typeof MusicClassifierDetector>[0] = {},
  fromMs = 0,
): Timed[] {
  const det = new MusicClassifierDetector(options);
  const out: Timed[] = [];
  const frame = new Int16Array(160);
  for (let k = 0; (k + 1) * 160 <= pcm.length; k++) {
    frame.set(pcm.subarray(k * 160, (k + 1) * 160));
    const d = det.push(frame, fromMs + k * 20);
    if (d) out.push({ ...d, at: fromMs + k * 20 });
  }
  return out;
}

describe('MusicClassifierDetector on real audio', () => {
  it('20 s of Asterisk hold music → hold within 3 s', () => {
    const pcm = decode(['-t', '20', '-i', MOH]);
    const d = runDetector(pcm);
    const first = d[0];
    expect(first?.state).toBe('hold');
    expect(first?.cause).toBe('music-classifier');
    expect(first?.at).toBeLessThanOrEqual(3000);
  });

  it('30 s of Allison speech (prompts with 0.3 s gaps) → no hold', () => {
    const pcm = decode([...allisonMonologue(0, 40), '-t', '30']);
    expect(pcm.length).toBeGreaterThanOrEqual(29 * 8000);
    expect(runDetector(pcm).filter((x) => x.state === 'hold')).toEqual([]);
  });

  it('a release says up to where the music surely played: before the voice that ended it', () => {
    const files = ['agent-loginok', 'call-forwarding', 'auth-thankyou', 'agent-newlocation'];
    const speech = files.map((f) => join(ALLISON, `${f}.wav`));
    const inputs = [MOH, ...speech, ...speech].flatMap((f) => ['-i', f]);
    const n = 1 + 2 * speech.length;
    const graph = `[0:a]atrim=0:15[m];[m]${Array.from({ length: n - 1 }, (_, i) => `[${i + 1}:a]`).join('')}concat=n=${n}:v=0:a=1[out]`;
    const pcm = decode([...inputs, '-filter_complex', graph, '-map', '[out]']);
    const release = runDetector(pcm).find((x) => x.state === 'no-hold');
    expect(release, 'the agent ends the hold').toBeDefined();
    expect(release!.at, 'decided seconds into the voice').toBeGreaterThan(15_000);
    expect(release!.musicEndMs).toBeLessThanOrEqual(15_000);
    expect(release!.musicEndMs).toBeGreaterThan(10_000);
  });

  it('reports its per-stream state size and resets', () => {
    const det = new MusicClassifierDetector();
    expect(det.stateBytes).toBeGreaterThan(1000);
    expect(det.stateBytes).toBeLessThan(64 * 1024);
    det.reset();
    expect(det.state).toBe('no-hold');
  });
});

describe('MusicClassifierDetector stream-start look', () => {
  const SIMPLICITY = '/usr/share/asterisk/moh/macroform-the_simplicity.wav';

  /** Decisions over `pcm` from call time 1 s. */
  const decisions = (
    pcm: Int16Array,
    options: ConstructorParameters<typeof MusicClassifierDetector>[0],
  ): Timed[] => runDetector(pcm, options, 1000);

  it('holds a stream that opens with Asterisk hold music from its first frame, unsure, at 0.5 s', () => {
    const pcm = decode(['-ss', '20', '-t', '10', '-i', SIMPLICITY, '-af', 'volume=-6dB']);
    const d = decisions(pcm, {});
    expect(d[0]).toMatchObject({ state: 'hold', onsetMs: 1000, confident: false, at: 1480 });
    expect(d.filter((x) => x.state === 'no-hold')).toEqual([]);
    expect(
      d.some((x) => x.confident),
      'the running score confirms it',
    ).toBe(true);
    // Without the look, the running score needs the 1 s and 3 s windows: over 2 s here.
    const off = decisions(pcm, { streamStartScore: 2 });
    expect(off[0]?.state).toBe('hold');
    expect(off[0]!.at - 1000).toBeGreaterThan(2000);
  });

  it('does not look at the start of a stream that opens with speech', () => {
    const pcm = decode([
      '-i',
      join(ALLISON, 'agent-loginok.wav'),
      '-i',
      join(ALLISON, 'auth-thankyou.wav'),
      '-filter_complex',
      '[0:a][1:a]concat=n=2:v=0:a=1[o]',
      '-map',
      '[o]',
    ]);
    expect(decisions(pcm, {})).toEqual([]);
  });

  /** `x` over white noise of `noiseDb` dBFS RMS (seeded by `seed`), through G.711. */
  function overNoise(x: Float64Array, noiseDb: number, seed: number): Int16Array {
    const amplitude = 32767 * 10 ** (noiseDb / 20) * Math.sqrt(3);
    const out = new Int16Array(x.length);
    const rand = seededRandom(seed);
    for (let i = 0; i < x.length; i++) out[i] = Math.round(x[i]! + (2 * rand() - 1) * amplitude);
    return mulawRoundTrip(out, true);
  }

  /**
   * `file` peaking at −20 dBFS over a white noise floor of −54 dBFS RMS (a noisy line: the
   * corpora's noisiest floor under a quiet talker), through G.711; the noise seeded.
   */
  const overLineNoise = (file: string): Int16Array => overNoise(atPeak(['-i', file], -20), -54, 1);

  // Noise that fills the pauses before and between the first words reads, in the half-filled
  // windows, like music filling them: this prompt's start scores 0.71, which the look held at
  // its former threshold of 0.7 (issue 5, stop 23).
  it('does not hold a prompt over line noise whose start scores between 0.7 and 0.75', () => {
    const pcm = overLineNoise(join(ALLISON, 'queue-quantity2.wav'));
    expect(decisions(pcm, {})).toEqual([]);
    expect(decisions(pcm, { streamStartScore: 0.7 })[0]).toMatchObject({
      state: 'hold',
      onsetMs: 1000,
      confident: false,
      at: 1480,
    });
  });

  /**
   * 0.6 s of a steady 400 Hz hum peaking at `humDb` dBFS over white noise at −66 dBFS RMS (the
   * look's 0.2–0.5 s, too short for the running score), then Allison's prompts peaking at
   * −20 dBFS, through G.711; the noise seeded.
   */
  function humThenAgent(humDb: number): Int16Array {
    const voice = atPeak([...allisonMonologue(0, 6), '-t', '6'], -20);
    const hum = 32767 * 10 ** (humDb / 20);
    const x = new Float64Array(4800 + voice.length);
    for (let i = 0; i < 4800; i++) x[i] = hum * Math.sin((2 * Math.PI * 400 * i) / 8000);
    x.set(voice, 4800);
    return overNoise(x, -66, 2);
  }

  /**
   * `seconds` of UK ringing (BT SIN 350: 400 + 450 Hz, 0.4 s on, 0.2 s off, 0.4 s on, 2 s off)
   * peaking at −17 dBFS over white noise at −66 dBFS RMS, through G.711; the noise seeded.
   */
  function ukRinging(seconds: number): Int16Array {
    const x = new Float64Array(seconds * 8000);
    const a = (32767 * 10 ** (-17 / 20)) / 2;
    for (let i = 0; i < x.length; i++) {
      const t = (i % 24_000) / 8000;
      if (t >= 1 || (t >= 0.4 && t < 0.6)) continue;
      x[i] =
        a * (Math.sin((2 * Math.PI * 400 * i) / 8000) + Math.sin((2 * Math.PI * 450 * i) / 8000));
    }
    return overNoise(x, -66, 3);
  }

  // Ringing at a stream start reads as a queue's music to the look (the safe side), and the
  // running score never confirms it: the stream is held, unsure, until the exit evidence (at
  // least `exitMs`, 9 s, of it; 14.2 s here, 9.8–11.5 s on the corpus's tone files) lets go,
  // and then recorded (the README's `queueWait: until-new-source` is for queues that ring while
  // they wait).
  it('holds ringing at a stream start, unsure, then lets go of it for good', () => {
    const d = decisions(ukRinging(40), {});
    expect(d[0]).toMatchObject({ state: 'hold', onsetMs: 1000, confident: false, at: 1480 });
    expect(d.some((x) => x.state === 'hold' && x.confident)).toBe(false);
    const releases = d.filter((x) => x.state === 'no-hold');
    expect(releases).toHaveLength(1);
    expect(releases[0]!.at - 1000).toBeGreaterThanOrEqual(DEFAULT_HOLD_STATE_OPTIONS.exitMs);
    expect(releases[0]!.at - 1000).toBeLessThan(30_000);
    expect(d.at(-1)!.state).toBe('no-hold');
  });

  // A steady component reads as a held note whatever its level; a line's faint hum before the
  // agent speaks is no hold music (issue 5: the unseen corpus's `agent-speech/es-2` was paused
  // for its first 10 s by the look over a −61 dBFS start). Band level −54 dBFS here (below
  // STREAM_START_MIN_DB), −34 dBFS 20 dB louder.
  it('does not hold a stream whose start is a faint steady hum, which it holds 20 dB louder', () => {
    expect(decisions(humThenAgent(-54), {})).toEqual([]);
    expect(decisions(humThenAgent(-34), {})[0]).toMatchObject({
      state: 'hold',
      onsetMs: 1000,
      confident: false,
      at: 1480,
    });
  });
});

describe('MusicClassifierDetector: hold music that fades in after the agent', () => {
  /**
   * 12 s of Allison's prompts (0.3 s apart, peaking at −20 dBFS), then 15 s of `track` from 40 s,
   * its active level 6 dB under the voice's and fading in from 20 dB further down over 4 s,
   * through G.711; and where the music starts, in ms.
   */
  function agentThenFadeIn(track: string): { pcm: Int16Array; musicMs: number } {
    const voice = atPeak([...allisonMonologue(40, 30), '-t', '12'], -20);
    const music = atPeak(
      ['-ss', '40', '-t', '15', '-i', `/usr/share/asterisk/moh/${track}.wav`],
      0,
    );
    const g = (activeRms(voice) * 10 ** (-6 / 20)) / activeRms(music);
    const out = new Int16Array(voice.length + music.length);
    for (let i = 0; i < voice.length; i++) out[i] = Math.round(voice[i]!);
    const fade = 4 * 8000;
    for (let i = 0; i < music.length; i++) {
      const v = music[i]! * g * 10 ** ((-20 * Math.max(0, 1 - i / fade)) / 20);
      out[voice.length + i] = Math.max(-32768, Math.min(32767, Math.round(v)));
    }
    return { pcm: mulawRoundTrip(out, true), musicMs: (voice.length / 8000) * 1000 };
  }

  /** RMS of the 20 ms frames that are not near-silent. */
  function activeRms(x: Float64Array): number {
    let sum = 0;
    let n = 0;
    for (let i = 0; i + 160 <= x.length; i += 160) {
      let e = 0;
      for (let j = i; j < i + 160; j++) e += x[j]! * x[j]!;
      if (e / 160 > 10) {
        sum += e / 160;
        n++;
      }
    }
    return Math.sqrt(sum / Math.max(1, n));
  }

  // The voice's loud level stays in the 3 s window statistics for seconds, and the quiet start
  // of the music reads like the pauses of a talker: the old model took 2.9 s on both, past D.
  it.each(['macroform-robot_dity', 'macroform-the_simplicity'])(
    'holds %s from its start with nothing past the 2.5 s delay line',
    (track) => {
      const { pcm, musicMs } = agentThenFadeIn(track);
      const d = runDetector(pcm);
      expect(d[0]?.state).toBe('hold');
      expect(d[0]!.at).toBeGreaterThan(musicMs);
      expect(d[0]!.onsetMs).toBeLessThanOrEqual(musicMs);
      expect(d[0]!.at - musicMs, 'decided while the delay line still holds its start').toBeLessThan(
        2500,
      );
    },
  );
});

describe('MusicClassifierDetector: a voice over the hold music', () => {
  const MANOLO = '/usr/share/asterisk/moh/manolo_camp-morning_coffee.wav';
  const ANNOUNCEMENTS = [
    'queue-periodic-announce',
    'queue-thankyou',
    'queue-holdtime',
    'queue-periodic-announce',
  ];

  /**
   * 40 s of the queue's music from `offsetS`, peaking `underDb` under the voice, and from 10 s to
   * 25 s Asterisk's queue announcements over it (peaking at −28 dBFS), through G.711.
   */
  function voiceOver(offsetS: number, underDb: number): Int16Array {
    const music = atPeak(['-ss', String(offsetS), '-t', '40', '-i', MANOLO], -28 - underDb);
    const files = ANNOUNCEMENTS.map((f) => join(ALLISON, `${f}.wav`));
    const voice = atPeak(
      [
        ...files.flatMap((f) => ['-i', f]),
        '-filter_complex',
        `${files.map((_, i) => `[${i}:a]`).join('')}concat=n=${files.length}:v=0:a=1[o]`,
        '-map',
        '[o]',
        '-t',
        '15',
      ],
      -28,
    );
    const out = new Int16Array(music.length);
    for (let i = 0; i < music.length; i++) {
      const v = music[i]! + (i >= 80_000 && i - 80_000 < voice.length ? voice[i - 80_000]! : 0);
      out[i] = Math.max(-32768, Math.min(32767, Math.round(v)));
    }
    return mulawRoundTrip(out, true);
  }

  it.each([
    { offsetS: 20, underDb: 20 },
    { offsetS: 30, underDb: 22 },
    { offsetS: 10, underDb: 24 },
  ])(
    'stays on hold through 15 s of announcements with its music $underDb dB under them (music from $offsetS s)',
    ({ offsetS, underDb }) => {
      const d = runDetector(voiceOver(offsetS, underDb));
      expect(d[0]?.state).toBe('hold');
      // Music peaking at −48…−52 dBFS from the first frame; the model of stop 21 takes 3.0 s on
      // the quietest start here (2.8 s before), both backdating the onset to within 0.3 s of it.
      expect(d.at(0)!.at).toBeLessThanOrEqual(3000);
      expect(d.at(0)!.onsetMs).toBeLessThanOrEqual(300);
      expect(
        d.filter((x) => x.state === 'no-hold').map((x) => x.at),
        'the music never stopped',
      ).toEqual([]);
      // Since stop 21 the model hears the music under these announcements itself: with the voice
      // counted as any voice (voiceOverMs 0) the hold stays too. What HoldMusicFloor adds is
      // covered on generated signals (hold-music-floor.test.ts, hold-state-machine.test.ts).
    },
  );
});

describe('MusicClassifierDetector: provisional pauses against the delay line', () => {
  /**
   * An agent, then `macroform-the_simplicity` 36 dB down from where seed 19 joins it: the running
   * score hears this music late, and its hold would come after the delay line let the music's
   * start out.
   */
  const agentThenQuietMusic = (): Int16Array =>
    agentThenMohTrack('macroform-the_simplicity', 19, -36);
  const D = 2500;
  const MUSIC_MS = 4000;
  /** Where the gate's pause takes effect: the onset, unless the delay line let it out already. */
  const pauseFrom = (d: Timed): number => Math.max(d.onsetMs, d.at - D);

  it('pauses from before the music where the hold alone would write its start', () => {
    const alone = runDetector(agentThenQuietMusic());
    expect(alone[0]).toMatchObject({ state: 'hold', confident: true });
    expect(pauseFrom(alone[0]!), 'the hold alone: music written').toBeGreaterThan(MUSIC_MS);

    const live = runDetector(agentThenQuietMusic(), { delayLineMs: D });
    expect(live[0]).toMatchObject({ state: 'hold', confident: false, provisional: true });
    expect(live[0]!.at).toBeLessThan(alone[0]!.at);
    expect(pauseFrom(live[0]!), 'nothing of the music written').toBeLessThanOrEqual(MUSIC_MS);
    // The hold itself follows, with the same onset; the provisional pause is not ended first.
    expect(live[1]).toMatchObject({ state: 'hold', confident: true, onsetMs: alone[0]!.onsetMs });
    expect(live[1]!.provisional).toBeUndefined();
    expect(live[1]!.at).toBe(alone[0]!.at);
  });

  it('never pauses 30 s of Allison speech', () => {
    const pcm = decode([...allisonMonologue(0, 40), '-t', '30']);
    expect(runDetector(pcm, { delayLineMs: D })).toEqual([]);
  });
});

describe('MusicClassifierDetector: a strict beat (StrictBeat)', () => {
  /**
   * `seconds` of tom-like drum hits, one every `periodS`: a tone falling from 500 to 300 Hz that
   * decays over `hitS`, then silence; peaking at −12 dBFS over white noise at −66 dBFS RMS,
   * through G.711. Loud bursts, deep gaps and a gliding pitch: a talker, to the level and
   * tonality statistics.
   */
  function toms(seconds: number, periodS: number, hitS: number): Int16Array {
    const x = new Int16Array(Math.round(seconds * 8000));
    const a = 32767 * 10 ** (-12 / 20);
    const noise = 32767 * 10 ** (-66 / 20) * Math.sqrt(3);
    const rand = seededRandom(5);
    let phase = 0;
    for (let i = 0; i < x.length; i++) {
      const t = (i / 8000) % periodS;
      let v = 0;
      if (t < hitS) {
        phase += (2 * Math.PI * (500 - (200 * t) / hitS)) / 8000;
        v = a * Math.exp((-3 * t) / hitS) * Math.sin(phase);
      } else {
        phase = 0;
      }
      x[i] = Math.round(v + (2 * rand() - 1) * noise);
    }
    return mulawRoundTrip(x, true);
  }
  const NO_BEAT = { beat: { periodicity: 2 } };

  // The model alone never hears these drums as music (a singularity track's drum intro in the
  // corpus did the same for 4 s, and leaked); their strict beat holds them from the first frame
  // while the 2.5 s delay line still covers it.
  it('holds drums that score as a talker from their first frame, within the delay line', () => {
    const pcm = toms(12, 0.5, 0.2);
    expect(runDetector(pcm, NO_BEAT)).toEqual([]);
    const d = runDetector(pcm);
    expect(d[0]).toMatchObject({ state: 'hold', onsetMs: 0, confident: false });
    expect(d[0]!.at).toBeLessThanOrEqual(2500);
  });

  // In hold the beat adds no evidence against it, although the score stays low: 40 s of the
  // drums are one hold (the exit evidence would let go after 9–20 s of such scores).
  it('keeps the hold while the beat goes on', () => {
    const d = runDetector(toms(40, 0.5, 0.2));
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({ state: 'hold', onsetMs: 0 });
  });
});
