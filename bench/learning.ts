/**
 * `npm run bench -- learning`: hold music nobody configured, call after call on one queue
 * (issue 5, Build item 3: "audio that was judged hold on a queue is fingerprinted and cached, so
 * later calls' hold music is recognised as known").
 *
 *   npm run bench -- learning [--calls 8] [--delay-ms 2500] [--unseen] [--together N]
 *        [--learned-seconds S] [--from-start | --voice-over]
 *
 * Per track (the singularity-music tracks: unknown music, the classifier's test split; with
 * `--unseen` the Ogg tracks of scripts/make-unseen-corpus.sh's packages, music the classifier was
 * never trained or tuned on, those ffmpeg reads that last 40 s or more), a queue
 * starts with an empty library. Each call is 4 s of an agent (Asterisk prompts), then 30 s of the
 * track from a random offset (as a PBX's shared hold stream is joined anywhere), through µ-law
 * with 1 % of frames lost (seeded). The call runs what a live call with the classifier on runs:
 * the known-music detector over the queue's library, the classifier and the silent start,
 * combined by AnyHold, with HoldAudioLearner adding what the classifier judged hold to the
 * library when it ends.
 * Reported per call number: how many tracks' music the fingerprint caught first, the median
 * detection latency, how many episodes leaked hold audio with the delay line
 * (pause start = max(onset, decision − D) after the music's start; a hold that began during the
 * agent and still runs when the music starts leaks nothing), and in how many calls a hold began
 * during the agent's part (`agentPaused`: false pauses of the agent), and how much of what came
 * before the music the first hold paused, on average (`pausedBeforeMusicMeanS`: an onset placed
 * early leaks nothing but costs the agent's last words; a hold that began during the agent is
 * counted in `agentPaused` instead). `leaking` lists every call that wrote hold audio: its track,
 * call number, what caught the music first and the seconds written. Runtime: about 15 s.
 * `--together N`: the calls come N at a time, one frame each in turn, and the N hear one stretch of
 * the track, joining it within the same 5 s (callers on hold together on a queue whose
 * hold music is one shared stream); each learns what it heard before any other's audio is learned.
 * `learnedSecondsMean`: seconds of learned audio per track at the end (each learns the same music
 * again). `--learned-seconds S`: the library keeps S s of learned audio (default: the library's).
 * `--from-start`: no agent; every call is the track's first 30 s from its first note, as a PBX
 * answers each call of a queue with its music; `--voice-over`: the same with a 10 s welcome
 * (Asterisk prompts, the same on every call of a track) spoken over it, the music 2–10 dB under.
 * Per call number also: `writtenEpisodes` and `writtenSeconds`, the music the gate wrote as it
 * left the delay line, before the first pause and after it (a hold let go of and found again;
 * `leakedEpisodes` counts only what came before the first pause), and `agentLostS`, the seconds of
 * the agent's part the gate dropped (a hold's onset placed into the agent's last words, and the
 * agent's own pauses).
 */
import { existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { HoldAudioLearner } from '../src/calls/hold-audio-learner.js';
import { AnyHold } from '../src/detect/any-hold.js';
import { MusicClassifierDetector } from '../src/detect/classifier/music-classifier-detector.js';
import { decodeAudioFile } from '../src/detect/known-music/decode-audio.js';
import { KnownMusicDetector } from '../src/detect/known-music/known-music-detector.js';
import { KnownMusicLibrary } from '../src/detect/known-music/known-music-library.js';
import { SilentStartDetector } from '../src/detect/silent-start/index.js';
import { callGate, tellCallGate } from './support/gate-model.js';
import { decisionReachMs } from '../src/calls/poll-timing.js';
import { fullBandPower } from './voice-over-levels.js';
import { FRAME_SAMPLES } from '../src/detect/known-music/sub-fingerprinter.js';
import { channel, concat, seededRandom, speech } from '../src/detect/known-music/test-signals.js';

const TRACKS = ['/usr/share/games/singularity/music'];
const UNSEEN_TRACKS = [
  '/usr/share/hyperrogue/music',
  '/usr/share/planetblupi/music',
  '/usr/share/scummvm/drascula/audio',
];
const AGENT_S = 4;
const MUSIC_S = 30;

interface CallResult {
  readonly cause: string | null;
  readonly latencyS: number | null;
  readonly leakS: number;
  /** A hold began during the agent's part (a false pause of the agent). */
  readonly agentPaused: boolean;
  /** Seconds of the agent's part the gate dropped as they left the delay line. */
  readonly agentLostS: number;
  /**
   * Seconds of the music the gate wrote as they left the delay line: `leakS` and any written
   * after the first pause (a hold let go of and found again).
   */
  readonly writtenS: number;
  /**
   * Seconds before the music that the first hold paused (the agent's last words); 0 for a hold
   * that began during the agent (counted in `agentPaused`).
   */
  readonly pausedBeforeS: number;
}

function opt(args: string[], name: string, dflt: number): number {
  const i = args.indexOf(name);
  const v = i >= 0 ? Number(args[i + 1]) : dflt;
  if (!Number.isFinite(v) || v < 0) throw new RangeError(`${name}: a non-negative number`);
  return v;
}

/** One call on the queue whose library is `library`, a frame per step. */
function* call(
  pcm: Int16Array,
  library: KnownMusicLibrary,
  delayMs: number,
  musicMs: number,
  name: string,
): Generator<void, CallResult> {
  const detectors = [
    new KnownMusicDetector(library),
    new MusicClassifierDetector({ delayLineMs: decisionReachMs(delayMs) }),
    new SilentStartDetector(decisionReachMs(delayMs)),
  ];
  const any = new AnyHold(detectors);
  const learner = new HoldAudioLearner(name, (chunk, audio, musicFrom) =>
    library.learn(chunk, audio, musicFrom),
  );
  let first: { cause: string; atMs: number; fromMs: number } | undefined;
  let agentPaused = false;
  /** The hold in effect, if any: what began it and from when the gate drops frames. */
  let current: { cause: string; fromMs: number } | undefined;
  /** The call's gate, and where it last began to pause. */
  const gate = callGate(delayMs);
  let pausedFromMs = 0;
  let gateState = gate.state;
  gate.onEvent((e) => {
    if (e.state === 'paused' && gateState === 'recording') pausedFromMs = e.t * 1000;
    gateState = e.state;
  });
  /** Frames that have left the delay line; of the agent's part the dropped, of the music the written. */
  let released = 0;
  let agentDropped = 0;
  let musicWritten = 0;
  const release = (upToMs: number): void => {
    for (; released * 20 <= upToMs && released * FRAME_SAMPLES < pcm.length; released++) {
      const paused = gate.isPausedAt(released * 20);
      if (released * 20 < musicMs) agentDropped += paused ? 1 : 0;
      else musicWritten += paused ? 0 : 1;
    }
  };
  for (let s = 0; s + FRAME_SAMPLES <= pcm.length; s += FRAME_SAMPLES) {
    const frame = pcm.subarray(s, s + FRAME_SAMPLES);
    const t = s / 8;
    release(t - delayMs);
    // A hold that began during the agent and still runs when the music starts covers it.
    if (t === musicMs && current !== undefined && first === undefined) {
      first = { cause: current.cause, atMs: t, fromMs: current.fromMs };
    }
    learner.frame(frame, t);
    for (let i = 0; i < detectors.length; i++) {
      const d = detectors[i]!.push(frame, t);
      if (d === undefined) continue;
      learner.decision(d);
      const was = any.holding;
      const out = any.decide(i, d);
      if (out === undefined) continue;
      tellCallGate(gate, out, t, delayMs);
      if (out.state === 'hold' && !was) {
        current = { cause: out.cause, fromMs: pausedFromMs };
        if (t < musicMs - 500) agentPaused = true;
        else if (first === undefined) first = { ...current, atMs: t };
      } else if (out.state === 'no-hold') {
        current = undefined;
      }
    }
    yield;
  }
  learner.close();
  release(Infinity);
  const agentLostS = (agentDropped * 20) / 1000;
  const writtenS = (musicWritten * 20) / 1000;
  if (first === undefined) {
    return {
      cause: null,
      latencyS: null,
      leakS: MUSIC_S,
      agentPaused,
      agentLostS,
      writtenS,
      pausedBeforeS: 0,
    };
  }
  return {
    cause: first.cause,
    latencyS: (first.atMs - musicMs) / 1000,
    leakS: Math.max(0, first.fromMs - musicMs) / 1000,
    agentPaused,
    agentLostS,
    writtenS,
    pausedBeforeS: first.atMs >= musicMs ? Math.max(0, musicMs - first.fromMs) / 1000 : 0,
  };
}

/** Seconds of a queue's welcome spoken over its music (`--voice-over`). */
const WELCOME_S = 10;

/**
 * What a PBX plays when it answers a queue call (`--from-start`): the track's first MUSIC_S from its
 * first note; with `voiceOver`, a welcome of WELCOME_S (Asterisk prompts) spoken over its start,
 * the music 2–10 dB (RMS, over the MUSIC_S) under the voice. The same on every call of the queue.
 */
function queueOpening(track: Int16Array, voiceOver: boolean, rand: () => number): Int16Array {
  const out = track.slice(0, MUSIC_S * 8000);
  if (!voiceOver) return out;
  const welcome = speech(WELCOME_S, rand);
  const rms = (x: Int16Array): number => Math.sqrt(fullBandPower(x, 0, x.length));
  const under = 2 + 8 * rand();
  const gain = (rms(out) / Math.max(1, rms(welcome))) * 10 ** (under / 20);
  for (let i = 0; i < welcome.length && i < out.length; i++) {
    out[i] = Math.max(-32768, Math.min(32767, Math.round(out[i]! + gain * welcome[i]!)));
  }
  return out;
}

export default async function run(args: string[]): Promise<unknown> {
  const calls = Math.max(1, Math.floor(opt(args, '--calls', 8)));
  const delayMs = opt(args, '--delay-ms', 2500);
  const together = Math.max(1, Math.floor(opt(args, '--together', 1)));
  const maxLearnedSeconds = args.includes('--learned-seconds')
    ? opt(args, '--learned-seconds', 0)
    : undefined;
  const learnedSeconds: number[] = [];
  const voiceOver = args.includes('--voice-over');
  const fromStart = voiceOver || args.includes('--from-start');
  if (fromStart && together > 1)
    throw new RangeError('--from-start / --voice-over: not with --together');
  const dirs = args.includes('--unseen') ? UNSEEN_TRACKS : TRACKS;
  const missing = dirs.filter((d) => !existsSync(d));
  if (missing.length > 0)
    throw new Error(
      `no music in ${missing.join(', ')}: scripts/make-unseen-corpus.sh installs its packages (singularity-music for the default)`,
    );
  const files = dirs.flatMap((dir) =>
    readdirSync(dir)
      .filter((f) => f.endsWith('.ogg'))
      .sort()
      .map((f) => join(dir, f)),
  );
  const perCall: CallResult[][] = Array.from({ length: calls }, () => []);
  /** Every call that wrote hold audio: which track, which call, what caught it and how late. */
  const leaking: { track: string; call: number; cause: string | null; leakS: number }[] = [];
  let tracks = 0;
  for (const [k, file] of files.entries()) {
    // A track ffmpeg cannot read (three hyperrogue Oggs) or a jingle is left out.
    const track = await decodeAudioFile(file).catch(() => new Int16Array(0));
    if (track.length < 40 * 8000) continue;
    tracks++;
    const library = new KnownMusicLibrary(
      maxLearnedSeconds !== undefined ? { maxLearnedSeconds } : {},
    );
    const rand = seededRandom(100 + k);
    // From the start: the same opening on every call, a welcome spoken over it if asked.
    const opening = fromStart ? queueOpening(track, voiceOver, seededRandom(700 + k)) : undefined;
    for (let c = 0; c < calls; c += together) {
      // `together` calls hear one stretch of a shared stream, joining it within the same 5 s.
      const base = Math.floor(
        rand() * Math.max(1, track.length - (MUSIC_S + (together > 1 ? 5 : 0)) * 8000),
      );
      const running = Array.from({ length: Math.min(together, calls - c) }, (_, j) => {
        const at = together > 1 ? base + Math.floor(rand() * 5 * 8000) : base;
        const heard =
          opening ?? concat([speech(AGENT_S, rand), track.subarray(at, at + MUSIC_S * 8000)]);
        const pcm = channel(heard, -6 - rand() * 12, 0.01, rand);
        return call(pcm, library, delayMs, opening ? 0 : AGENT_S * 1000, `call-${c + j + 1}`);
      });
      const results: (CallResult | undefined)[] = running.map(() => undefined);
      while (results.some((r) => r === undefined)) {
        running.forEach((steps, j) => {
          if (results[j] !== undefined) return;
          const step = steps.next();
          if (step.done) results[j] = step.value;
        });
      }
      results.forEach((r, j) => {
        perCall[c + j]!.push(r!);
        if (r!.leakS > 0) {
          const leakS = Math.round(r!.leakS * 100) / 100;
          leaking.push({ track: basename(file), call: c + j + 1, cause: r!.cause, leakS });
        }
      });
    }
    learnedSeconds.push(library.learnedSeconds);
  }
  return {
    tracks,
    opening: voiceOver ? 'voice-over' : fromStart ? 'from-start' : 'agent',
    delayMs,
    together,
    learnedSecondsMean:
      Math.round((learnedSeconds.reduce((a, b) => a + b, 0) / Math.max(1, tracks)) * 10) / 10,
    calls: perCall.map((results, i) => {
      const lat = results.flatMap((r) => (r.latencyS === null ? [] : [r.latencyS]));
      lat.sort((a, b) => a - b);
      return {
        call: i + 1,
        knownMusicFirst: results.filter((r) => r.cause === 'known-music').length,
        classifierFirst: results.filter((r) => r.cause === 'music-classifier').length,
        missed: results.filter((r) => r.cause === null).length,
        latencyMedianS: lat.length ? lat[lat.length >> 1]! : null,
        leakedEpisodes: results.filter((r) => r.leakS > 0).length,
        leakedKnownMusicFirst: results.filter((r) => r.leakS > 0 && r.cause === 'known-music')
          .length,
        leakedSecondsMax: Math.round(Math.max(...results.map((r) => r.leakS)) * 100) / 100,
        writtenEpisodes: results.filter((r) => r.writtenS > 0).length,
        writtenSeconds: Math.round(results.reduce((sum, r) => sum + r.writtenS, 0) * 100) / 100,
        agentPaused: results.filter((r) => r.agentPaused).length,
        agentLostS: Math.round(results.reduce((sum, r) => sum + r.agentLostS, 0) * 100) / 100,
        pausedBeforeMusicMeanS:
          Math.round((results.reduce((s, r) => s + r.pausedBeforeS, 0) / results.length) * 1000) /
          1000,
      };
    }),
    leaking,
  };
}
