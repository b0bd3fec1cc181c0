/**
 * `npm run bench -- stream-start`: the classifier's stream-start look (issue 5; see
 * `DEFAULT_STREAM_START_SCORE` in src/detect/classifier/music-classifier-detector.ts) on thousands
 * of stream starts, for a row of look thresholds: how many starts of speech it holds (each a false
 * pause of an agent or an announcement), how many starts of music, and how many of the music
 * starts the running score alone holds too late (the starts the look is for).
 *
 *   npm run bench -- stream-start [--renders 3] [--unseen] [--delay-ms 2500] [--weights file.json]
 *
 * The starts are `scripts/stream-starts.ts`'s (render seed 11): every prompt of the development
 * corpus's voices (en, es, fr), as recorded and pitched down, and a music start every 6 s of the
 * corpus's tracks, through the telephone channel; `--unseen`: the unseen corpus's voices (it, ru
 * as WAV; es, fr as GSM) and music; `--weights`: another model (train-classifier.ts --out), whose
 * look and running score both change. Each start is fed to a fresh detector:
 * - held: the detector's first hold decision comes at the end of the look (0.5 s); prompt
 *   starts held at the default threshold are also counted per voice (`speechByVoice`);
 * - a music start is `needed` when, with the look off, the first hold decision comes later than
 *   the delay line after the start, or not within the start's 8 s: its beginning would be written;
 * - `strictBeat`: per kind of start, how many the strict beat (`StrictBeat`, default settings)
 *   holds within the start's 8 s, and the longest run of frames at its periodicity (s): a
 *   talker's syllables keep no strict beat for long, and a stream's first seconds, with the
 *   rhythm's window still short, are where one comes closest.
 * Runtime: 2–3 minutes (decoding the music with ffmpeg and the telephone channel are most of it).
 */
import {
  DEFAULT_STREAM_START_SCORE,
  MusicClassifierDetector,
  WARMUP_FRAMES,
} from '../src/detect/classifier/music-classifier-detector.js';
import {
  DEV_START_SOURCES,
  START_S,
  type Start,
  UNSEEN_START_SOURCES,
  streamStarts,
} from '../scripts/stream-starts.js';
import type { ModelWeights } from '../src/detect/classifier/score-model.js';
import { readWeights } from '../scripts/train-classifier.js';
import { PERIODICITY_FEATURE, StrictBeat } from '../src/detect/classifier/strict-beat.js';
import { WindowFeatures } from '../src/detect/classifier/window-features.js';
import { decisionReachMs } from '../src/calls/poll-timing.js';

const THRESHOLDS = [0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9];
/** The starts' render seed (scripts/stream-starts.ts). */
const SEED = 11;
/** A look threshold above 1: the look is off (the running score alone). */
const LOOK_OFF = 2;

function opt(args: string[], name: string, dflt: string): string {
  const i = args.indexOf(name);
  return i >= 0 ? (args[i + 1] ?? dflt) : dflt;
}

/** The time (ms) of the detector's first hold decision within `frames` frames of `pcm`, or null. */
function firstHoldMs(
  pcm: Int16Array,
  streamStartScore: number,
  frames: number,
  weights: ModelWeights | undefined,
): number | null {
  const det = new MusicClassifierDetector({
    streamStartScore,
    ...(weights !== undefined ? { weights } : {}),
  });
  const frame = new Int16Array(160);
  for (let k = 0; k < frames && (k + 1) * 160 <= pcm.length; k++) {
    frame.set(pcm.subarray(k * 160, k * 160 + 160));
    if (det.push(frame, k * 20)?.state === 'hold') return k * 20;
  }
  return null;
}

/**
 * The strict beat over one start: whether it is sustained within the start, and the longest run
 * (s) of frames at or above its periodicity.
 */
function strictBeat(pcm: Int16Array): { held: boolean; longestRunS: number } {
  const features = new WindowFeatures();
  const beat = new StrictBeat();
  let held = false;
  let longestMs = 0;
  for (let k = 0; (k + 1) * 160 <= pcm.length; k++) {
    const x = features.push(pcm.subarray(k * 160, k * 160 + 160));
    if (beat.push(x[PERIODICITY_FEATURE]!, k * 20)) held = true;
    longestMs = Math.max(longestMs, beat.runMs);
  }
  return { held, longestRunS: longestMs / 1000 };
}

/** Per kind of start: how many the strict beat holds, and its longest run (s). */
function strictBeats(starts: readonly Start[]) {
  const out: Record<string, { starts: number; held: number; longestRunS: number }> = {};
  for (const s of starts) {
    const { held, longestRunS } = strictBeat(s.pcm);
    const k = (out[s.kind] ??= { starts: 0, held: 0, longestRunS: 0 });
    k.starts++;
    if (held) k.held++;
    k.longestRunS = Math.max(k.longestRunS, longestRunS);
  }
  return out;
}

/** Whether the look (at `threshold`) holds `pcm` from its start. */
function lookHolds(pcm: Int16Array, threshold: number, weights?: ModelWeights): boolean {
  return firstHoldMs(pcm, threshold, WARMUP_FRAMES, weights) === (WARMUP_FRAMES - 1) * 20;
}

/** The thresholds at which the look holds a start: THRESHOLDS and the detector's default. */
type Verdicts = ReadonlySet<number>;

/** At which thresholds (THRESHOLDS and the default) the look holds `pcm`, each tried once. */
function lookVerdicts(pcm: Int16Array, weights?: ModelWeights): Verdicts {
  const tried = new Set([...THRESHOLDS, DEFAULT_STREAM_START_SCORE]);
  return new Set([...tried].filter((t) => lookHolds(pcm, t, weights)));
}

/** Starts held by the look, per threshold. */
function held(starts: readonly Start[], verdicts: ReadonlyMap<Start, Verdicts>) {
  return Object.fromEntries(
    THRESHOLDS.map((t) => [t, starts.filter((s) => verdicts.get(s)!.has(t)).length]),
  );
}

/**
 * Prompt starts held at the default threshold, per voice (the prompt's directory under Asterisk's
 * sounds), as recorded and pitched down: which talkers the look takes for music.
 */
function heldByVoice(
  starts: readonly Start[],
  verdicts: ReadonlyMap<Start, Verdicts>,
): Record<string, { starts: number; held: number }> {
  const out: Record<string, { starts: number; held: number }> = {};
  for (const s of starts) {
    if (s.kind === 'music') continue;
    const voice = `${s.name.slice(0, s.name.indexOf('/'))}${s.kind === 'speech-low' ? ' low' : ''}`;
    const v = (out[voice] ??= { starts: 0, held: 0 });
    v.starts++;
    if (verdicts.get(s)!.has(DEFAULT_STREAM_START_SCORE)) v.held++;
  }
  return out;
}

export default async function run(args: string[]): Promise<unknown> {
  const renders = Number(opt(args, '--renders', '3'));
  const delayMs = Number(opt(args, '--delay-ms', '2500'));
  if (!(renders >= 1) || !(delayMs >= 0)) throw new Error('--renders must be ≥ 1, --delay-ms ≥ 0');
  const unseen = args.includes('--unseen');
  const weightsFile = args.includes('--weights') ? opt(args, '--weights', '') : undefined;
  const weights = weightsFile !== undefined ? readWeights(weightsFile) : undefined;
  const started = Date.now();
  const starts = await streamStarts(
    unseen ? UNSEEN_START_SOURCES : DEV_START_SOURCES,
    renders,
    SEED,
  );
  const of = (kind: Start['kind']) => starts.filter((s) => s.kind === kind);
  const music = of('music');
  if (of('speech').length === 0 || music.length === 0)
    throw new Error(
      'no prompts or no music: run scripts/setup.sh and scripts/make-corpus.sh first',
    );
  const verdicts = new Map(starts.map((s) => [s, lookVerdicts(s.pcm, weights)]));
  const needed: { start: Start; firstHoldS: number | null }[] = [];
  for (const s of music) {
    const t = firstHoldMs(s.pcm, LOOK_OFF, (START_S * 1000) / 20, weights);
    if (t === null || t > decisionReachMs(delayMs))
      needed.push({ start: s, firstHoldS: t === null ? null : t / 1000 });
  }
  return {
    unseen,
    /** The model: the committed weights.json, or `--weights`. */
    weights: weightsFile ?? 'src/detect/classifier/weights.json',
    renders,
    delayMs,
    defaultThreshold: DEFAULT_STREAM_START_SCORE,
    /** Starts held by the look, per threshold, of `starts`. */
    speech: { starts: of('speech').length, held: held(of('speech'), verdicts) },
    speechPitchedDown: { starts: of('speech-low').length, held: held(of('speech-low'), verdicts) },
    /** Both, per voice, at the default threshold (`low`: pitched down). */
    speechByVoice: heldByVoice(starts, verdicts),
    music: { starts: music.length, held: held(music, verdicts) },
    /** Music starts the running score alone holds too late or not at all: what the look is for. */
    musicNeeded: {
      starts: needed.length,
      held: held(
        needed.map((n) => n.start),
        verdicts,
      ),
      /** Which (track@offset#render), the running score's first hold (s), and the look's verdict. */
      files: needed.map((n) => ({
        start: n.start.name,
        firstHoldS: n.firstHoldS,
        look: verdicts.get(n.start)!.has(DEFAULT_STREAM_START_SCORE),
      })),
    },
    /** Starts the strict beat holds (default settings), and its longest run, per kind. */
    strictBeat: strictBeats(starts),
    runSeconds: Math.round((Date.now() - started) / 100) / 10,
  };
}
