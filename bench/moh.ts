/**
 * `npm run bench -- moh`: the unknown-hold-music classifier (issue 5, Build 2) on the development
 * corpus of scripts/make-corpus.sh (built on first use, then reused).
 *
 *   npm run bench -- moh [--corpus /tmp/holdgate-moh-corpus] [--loss 0.01] [--delay-ms 2500]
 *                        [--enter-ms 400] [--enter-score 0.6] [--exit-ms 4000] [--affirm-ms 0]
 *                        [--voice-over-ms 0] [--floor-margin-db 3]   (state machine)
 *                        [--resume-at-change-point]   (releases backdated to the change point)
 *                        [--no-provisional]   (no provisional pauses against the delay line,
 *                                              and no silent start either)
 *                        [--no-silent-start]   (the classifier without SilentStartDetector)
 *                        [--skip-lost]   (lost frames not fed at all, as calls did before stop 37)
 *                        [--stream-start-score 0.75]   (the detector's stream-start look; 2: off)
 *                        [--unseen]   (scripts/make-unseen-corpus.sh's corpus: never trained on)
 *                        [--weights file.json]   (another model, e.g. train-classifier.ts --out)
 *                        [--known-extra DIR [--known-extra-count N]]   (more library tracks)
 *                        [--announcement-seconds S]   (a queue's `detection.announcementSeconds`:
 *                                                      the classifier's exit and known music's
 *                                                      hold-over, as a call sets them; default 10)
 *
 * Every file is fed frame by frame (1 % of frames lost, seeded per file, each heard as a frame of
 * silence, as a live call's detectors hear a lost packet: `FrameGaps`) to a fresh
 * MusicClassifierDetector, beside a SilentStartDetector (`detection.silentStart`, on by default),
 * combined by AnyHold as a live call runs them with a delay line. The gate is modelled as a call's
 * (`bench/support/gate-model.ts`): a decision taken on the frame at t with onset o takes effect
 * from o with the call's 100 ms guards, within what the delay line still holds at the poll that
 * decides (t − D at the earliest: a call releases only after deciding), and the detectors are told
 * D − 20 ms, as a call tells them (a poll left for a frame that arrives late). Reported, for
 * the held-out "test" split (targets) and for all files:
 * - frame precision/recall/F1 of the effective hold state vs. the sidecar's hold intervals, and
 *   recall per positive class;
 * - per hold episode: detection latency (first hold decision − episode start; median, p95), leaked
 *   hold audio (every frame of the episode the gate wrote: before the first pause, and in false
 *   releases inside it, such as during a voice-over) and the share of episodes with 0 s leaked,
 *   overall, per class and per codec chain;
 * - per release (transitions files): agent speech lost = effective resume − true end of hold;
 * - false pauses (hold decisions) per hour of each negative class, and how many of them began as
 *   a provisional pause (the classifier runs as in a live call: `delayLineMs` = D); what they cost:
 *   how many runs of paused frames covered sound (a frame whose band energy reaches
 *   STREAM_START_MIN_DB, −48 dBFS, as the silent start counts sound: `pausesOverSound`) and how
 *   many seconds of it (`soundPausedS`): a silent start paused until its first sound is judged
 *   costs nobody's words;
 * - µs per frame (median, p99; one hrtime read per frame) and bytes of state per stream.
 * If src/detect/known-music/index.ts exports KnownMusicDetector and KnownMusicLibrary, the
 * known-music detector (library = the Asterisk MOH directory) is run on the hold tracks too
 * (`knownMusic`, with its own µs per frame), and both detectors together as a live call combines
 * them (`withKnownMusic`, with the targets again): the corpus's hold tracks are then known music,
 * its other music not.
 * Runtime: about 15 s with a built corpus (+ about 1 minute to build it).
 * The corpus is the same on every build. Another render of the same sources (other levels, gaps,
 * pitch shifts and noise floors) shows which figures hang on single events:
 *   CORPUS_SEED=7 scripts/make-corpus.sh /tmp/cs7 && npm run bench -- moh --corpus /tmp/cs7
 * A render through one codec chain (scripts/corpus-lib.sh: Opus narrowband, say) shows what that
 * codec costs: CORPUS_CODEC=opus-nb scripts/make-unseen-corpus.sh /tmp/us-opus &&
 * npm run bench -- moh --unseen --corpus /tmp/us-opus (reported as `codec`).
 * `--unseen` measures on audio from none of the corpus's sources (other music, other voices;
 * scripts/make-unseen-corpus.sh, built on first use in 3-5 minutes): how general the
 * classifier is. Its files are all "test"; nothing in the classifier is fitted to them. Its
 * `agent-speech` class (2.4 hours) is what false pauses of agent speech are counted on: the
 * target's `falsePausesPerHourSpeechLe05` pools it with `speech`.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import {
  MusicClassifierDetector,
  STREAM_START_MIN_DB,
} from '../src/detect/classifier/music-classifier-detector.js';
import { FrameFeatures } from '../src/detect/classifier/frame-features.js';
import type { HoldStateOptions } from '../src/detect/classifier/hold-state-machine.js';
import type { HoldMusicDetector } from '../src/detect/types.js';
import {
  type CorpusFile,
  dropFrames,
  fnv1a,
  inHold,
  listCorpus,
  readWeights,
  seededRandom,
} from '../scripts/train-classifier.js';
import { knownMusicFiles, readWav8k } from '../src/detect/known-music/index.js';
import { SilentStartDetector } from '../src/detect/silent-start/index.js';
import { announcementHoldOn } from '../src/detect/announcement-hold-on.js';
import type { KnownMusicOptions } from '../src/detect/known-music/known-music-detector.js';
import { Combined, asOne } from './support/combined.js';
import { gateModel } from './support/gate-model.js';
import { decisionReachMs } from '../src/calls/poll-timing.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const POSITIVE = new Set([
  'hold',
  'hold-announce',
  'voice-over',
  'voice-over-in-hold',
  'music-other',
]);

interface FileResult {
  readonly file: CorpusFile;
  readonly frames: number;
  /** Effective (gate) hold per frame. */
  readonly tp: number;
  readonly fp: number;
  readonly fn: number;
  readonly holdDecisions: number;
  /** Of those, the ones that began as a provisional pause (`HoldDecision.provisional`). */
  readonly provisionalPauses: number;
  /**
   * Runs of paused frames that hold any sound, and that sound, seconds: a frame whose band energy
   * reaches STREAM_START_MIN_DB, what the silent start and the stream-start look count as sound.
   * A false pause that covers none (a silent start paused until its first sound is judged) costs
   * nobody's words.
   */
  readonly pauseRunsWithSound: number;
  readonly soundPausedS: number;
  readonly episodes: {
    latencyS: number | null;
    /** Hold audio written before the first pause (the detection latency past the delay line). */
    startLeakS: number;
    /** All hold audio written in the episode: before the first pause and in false releases. */
    leakS: number;
    lengthS: number;
  }[];
  readonly releases: { lostS: number | null }[];
}

function opt(args: string[], name: string, dflt: string): string {
  const i = args.indexOf(name);
  return i >= 0 ? (args[i + 1] ?? dflt) : dflt;
}

function quantile(xs: readonly number[], q: number): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * (s.length - 1) + 0.5))]!;
}

const round = (v: number | null, d = 3): number | null =>
  v === null || !Number.isFinite(v) ? v : Math.round(v * 10 ** d) / 10 ** d;

/** A corpus: the script that builds it and the version (its VERSION file) this benchmark expects. */
interface CorpusKind {
  readonly script: string;
  readonly version: string;
  readonly defaultDir: string;
}

/** The development corpus: the classifier is trained on its train split, tuned on its test split. */
const DEVELOPMENT: CorpusKind = {
  script: 'scripts/make-corpus.sh',
  version: '4',
  defaultDir: join(tmpdir(), 'holdgate-moh-corpus'),
};

/** Audio the classifier has never heard: other music, other voices, all "test" (`--unseen`). */
const UNSEEN: CorpusKind = {
  script: 'scripts/make-unseen-corpus.sh',
  version: 'unseen-3',
  defaultDir: join(tmpdir(), 'holdgate-moh-unseen'),
};

/** The codec every file of the corpus in `dir` passed before G.711 (its CODEC file), if one did. */
function corpusCodec(dir: string): string | undefined {
  const file = join(dir, 'CODEC');
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
}

/**
 * Builds the corpus unless `dir` already holds one of the kind's version. An older one is rebuilt
 * in place, with the seed it was rendered with (its SEED file; corpora built before there was one
 * are rebuilt with the default seed): the script's file names are fixed, so every file is
 * overwritten. A directory that holds the other kind of corpus is refused rather than overwritten.
 */
async function ensureCorpus(kind: CorpusKind, dir: string): Promise<void> {
  const versionFile = join(dir, 'VERSION');
  const have = existsSync(versionFile) ? readFileSync(versionFile, 'utf8').trim() : undefined;
  if (have === kind.version) return;
  if (have !== undefined && have.startsWith('unseen') !== kind.version.startsWith('unseen'))
    throw new Error(
      `${dir} holds corpus version ${have}, not ${kind.version}: pass --unseen or another --corpus`,
    );
  // The render it holds (CORPUS_SEED): an outdated CORPUS_SEED=7 render is rebuilt as that render.
  const seedFile = join(dir, 'SEED');
  const seed = existsSync(seedFile) ? readFileSync(seedFile, 'utf8').trim() : undefined;
  // And the codec it was rendered through (CORPUS_CODEC), if one for every file.
  const codec = corpusCodec(dir);
  await promisify(execFile)('bash', [join(ROOT, kind.script), dir], {
    maxBuffer: 1 << 24,
    timeout: 900_000,
    env: {
      ...process.env,
      ...(seed !== undefined ? { CORPUS_SEED: seed } : {}),
      ...(codec !== undefined ? { CORPUS_CODEC: codec } : {}),
    },
  });
}

/**
 * The seed of a file's lost frames: its own (FNV-1a of class/name), so that a file's figures do
 * not move when another file's length changes (one shared sequence shifted every later file).
 */
const lossSeed = (f: CorpusFile): number => fnv1a(`${f.cls}/${f.name}`);

/**
 * Whether a file's frames join the µs-per-frame sample: the first 200 000 frames, of every class
 * but agent-speech (whose 2.4 hours sort first and would make the sample all speech).
 */
function timed(file: CorpusFile, timings: readonly number[]): boolean {
  return timings.length < 200_000 && file.cls !== 'agent-speech';
}

/** How the channel loses frames: `loss` of them, each heard as silence or (`skipLost`) not at all. */
interface LossModel {
  readonly loss: number;
  readonly skipLost: boolean;
}

/** A file as the detectors hear it: its PCM with lost frames zeroed, and which were lost if skipped. */
interface Heard {
  readonly pcm: Int16Array;
  readonly lost: Uint8Array | null;
}

/**
 * `file` through the channel: `loss` of its frames lost (seeded per file), zeroed; with `skipLost`
 * also marked, for the detectors not to be fed them at all (how a live call fed its detectors
 * before issue 5, stop 37; now they hear a lost frame as silence, `FrameGaps`).
 */
function heard(file: CorpusFile, { loss, skipLost }: LossModel): Heard {
  const raw = readWav8k(file.path);
  const lost = skipLost ? new Uint8Array(Math.floor(raw.length / 160)) : null;
  return { pcm: dropFrames(raw, loss, seededRandom(lossSeed(file)), lost ?? undefined), lost };
}

/** Runs one detector over one file and scores it against the truth with delay line `delayMs`. */
function evaluate(
  det: HoldMusicDetector,
  file: CorpusFile,
  { pcm, lost }: Heard,
  delayMs: number,
  timings: number[] | null,
): FileResult {
  // Effective gate state per frame.
  const { decisions, paused: eff } = gateModel(det, pcm, delayMs, { lost, timings });
  const n = eff.length;
  const holds = decisions.filter((d) => d.state === 'hold');
  const holdDecisions = holds.length;
  // Which runs of paused frames covered sound, and how much (what a false pause cost).
  let pauseRunsWithSound = 0;
  let soundFrames = 0;
  let runHasSound = false;
  const sound = new FrameFeatures();
  for (let k = 0; k < n; k++) {
    sound.push(pcm.subarray(k * 160, k * 160 + 160));
    if (eff[k] !== 1) {
      runHasSound = false;
      continue;
    }
    if (sound.energyDb < STREAM_START_MIN_DB) continue;
    soundFrames++;
    if (!runHasSound) pauseRunsWithSound++;
    runHasSound = true;
  }
  const provisionalPauses = holds.filter((d) => d.provisional).length;
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let k = 0; k < n; k++) {
    const truth = inHold(file.hold, (k * 20 + 10) / 1000);
    if (eff[k] === 1 && truth) tp++;
    else if (eff[k] === 1) fp++;
    else if (truth) fn++;
  }
  const episodes = file.hold.map(([a, b]) => {
    const end = Math.min(b, file.durationS);
    const first = decisions.find(
      (d) => d.state === 'hold' && d.t / 1000 >= a - 0.5 && d.t / 1000 < end,
    );
    const ka = Math.ceil((a * 1000) / 20);
    let kLeakEnd = ka;
    while (kLeakEnd < n && kLeakEnd * 20 < end * 1000 && eff[kLeakEnd] === 0) kLeakEnd++;
    let written = kLeakEnd - ka;
    for (let k = kLeakEnd; k < n && k * 20 < end * 1000; k++) if (eff[k] === 0) written++;
    return {
      latencyS: first ? first.t / 1000 - a : null,
      startLeakS: ((kLeakEnd - ka) * 20) / 1000,
      leakS: (written * 20) / 1000,
      lengthS: end - a,
    };
  });
  const releases =
    file.cls === 'transitions'
      ? file.hold.map(([, b]) => {
          const kb = Math.ceil((b * 1000) / 20);
          let k = kb;
          while (k < n && eff[k] === 1) k++;
          return { lostS: k >= n ? null : ((k - kb) * 20) / 1000 };
        })
      : [];
  return {
    file,
    frames: n,
    tp,
    fp,
    fn,
    holdDecisions,
    provisionalPauses,
    pauseRunsWithSound,
    soundPausedS: (soundFrames * 20) / 1000,
    episodes,
    releases,
  };
}

function summarize(results: readonly FileResult[]) {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const r of results) {
    tp += r.tp;
    fp += r.fp;
    fn += r.fn;
  }
  const precision = tp + fp > 0 ? tp / (tp + fp) : null;
  const recall = tp + fn > 0 ? tp / (tp + fn) : null;
  const f1 =
    precision !== null && recall !== null && precision + recall > 0
      ? (2 * precision * recall) / (precision + recall)
      : null;
  const recallByClass: Record<string, number | null> = {};
  const falsePausesPerHour: Record<
    string,
    {
      pauses: number;
      provisional: number;
      hours: number;
      perHour: number | null;
      pausesOverSound: number;
      soundPausedS: number;
    }
  > = {};
  const classes = [...new Set(results.map((r) => r.file.cls))];
  for (const c of classes) {
    const rs = results.filter((r) => r.file.cls === c);
    if (POSITIVE.has(c) || c === 'transitions') {
      const ctp = rs.reduce((s, r) => s + r.tp, 0);
      const cfn = rs.reduce((s, r) => s + r.fn, 0);
      recallByClass[c] = round(ctp + cfn > 0 ? ctp / (ctp + cfn) : null);
    }
    if (!POSITIVE.has(c) && c !== 'transitions') {
      const pauses = rs.reduce((s, r) => s + r.holdDecisions, 0);
      const hours = rs.reduce((s, r) => s + r.file.durationS, 0) / 3600;
      falsePausesPerHour[c] = {
        pauses,
        provisional: rs.reduce((s, r) => s + r.provisionalPauses, 0),
        hours: round(hours, 4)!,
        perHour: round(hours > 0 ? pauses / hours : null, 2),
        pausesOverSound: rs.reduce((s, r) => s + r.pauseRunsWithSound, 0),
        soundPausedS: round(
          rs.reduce((s, r) => s + r.soundPausedS, 0),
          2,
        )!,
      };
    }
  }
  const eps = results.flatMap((r) => r.episodes);
  // Zero-leak share per class: which kind of music start the misses come from.
  const zeroLeakBy = (
    key: (f: CorpusFile) => string,
  ): Record<string, { episodes: number; zeroLeak: number | null }> => {
    const out: Record<string, { episodes: number; zeroLeak: number | null }> = {};
    for (const k of [...new Set(results.map((r) => key(r.file)))].sort()) {
      const ke = results.filter((r) => key(r.file) === k).flatMap((r) => r.episodes);
      if (ke.length === 0) continue;
      out[k] = {
        episodes: ke.length,
        zeroLeak: round(ke.filter((e) => e.leakS <= 0).length / ke.length),
      };
    }
    return out;
  };
  const zeroLeakByClass = zeroLeakBy((f) => f.cls);
  // And per codec chain (the sidecar's `codec`): what a codec before G.711 costs, on one render.
  const zeroLeakByCodec = zeroLeakBy((f) => f.codec);
  // Which episodes leaked (file, leak, latency), worst first: where the misses are.
  const leaking = results
    .flatMap((r) =>
      r.episodes
        .filter((e) => e.leakS > 0)
        .map((e) => ({
          file: r.file.name,
          leakS: round(e.leakS, 2),
          startLeakS: round(e.startLeakS, 2),
          latencyS: round(e.latencyS, 2),
        })),
    )
    .sort((a, b) => (b.leakS ?? 0) - (a.leakS ?? 0));
  // Which negative files got a false pause.
  const falsePauseFiles = results
    .filter((r) => !POSITIVE.has(r.file.cls) && r.file.cls !== 'transitions' && r.holdDecisions > 0)
    .map((r) => r.file.name);
  const lat = eps.flatMap((e) => (e.latencyS === null ? [] : [e.latencyS]));
  const leaks = eps.map((e) => e.leakS);
  const lost = results.flatMap((r) =>
    r.releases.flatMap((x) => (x.lostS === null ? [] : [x.lostS])),
  );
  const neverReleased = results.flatMap((r) => r.releases).filter((x) => x.lostS === null).length;
  return {
    files: results.length,
    frame: { precision: round(precision), recall: round(recall), f1: round(f1) },
    recallByClass,
    episodes: {
      count: eps.length,
      detected: lat.length,
      latencyS: { median: round(quantile(lat, 0.5), 2), p95: round(quantile(lat, 0.95), 2) },
      leakedS: {
        median: round(quantile(leaks, 0.5), 2),
        p95: round(quantile(leaks, 0.95), 2),
        max: round(quantile(leaks, 1), 2),
      },
      zeroLeakShare: round(eps.length ? leaks.filter((l) => l <= 0).length / eps.length : null),
      zeroLeakByClass,
      zeroLeakByCodec,
      leaking,
    },
    releases: {
      count: lost.length + neverReleased,
      neverReleased,
      agentSpeechLostS: {
        median: round(quantile(lost, 0.5), 2),
        p95: round(quantile(lost, 0.95), 2),
        max: round(quantile(lost, 1), 2),
      },
    },
    falsePausesPerHour,
    falsePauseFiles,
  };
}

/**
 * Runs `make()` over `files` (or, without a known-music module yet, says why not). The library
 * is the Asterisk MOH directory, the queue's known music in the default deployment.
 */
async function withKnownMusic(
  files: readonly CorpusFile[],
  channel: LossModel,
  delayMs: number,
  timings: number[] | null,
  make: (known: HoldMusicDetector) => HoldMusicDetector,
  extraKnown: readonly string[] = [],
  knownOptions: KnownMusicOptions = {},
): Promise<FileResult[] | { skipped: string } | { error: string }> {
  const index = join(ROOT, 'src/detect/known-music/index.ts');
  if (!existsSync(index)) return { skipped: 'src/detect/known-music/index.ts does not exist yet' };
  try {
    const mod = (await import(pathToFileURL(index).href)) as Record<string, unknown>;
    const Lib = mod.KnownMusicLibrary as
      { fromFiles?: (p: string[]) => Promise<unknown> } | undefined;
    const Det = mod.KnownMusicDetector as
      (new (lib: unknown, options: KnownMusicOptions) => HoldMusicDetector) | undefined;
    if (Lib?.fromFiles === undefined || Det === undefined)
      return { skipped: 'no KnownMusicDetector / KnownMusicLibrary.fromFiles export' };
    const moh = readdirSync('/usr/share/asterisk/moh')
      .filter((f) => f.endsWith('.wav'))
      .map((f) => join('/usr/share/asterisk/moh', f));
    const lib = await Lib.fromFiles([...moh, ...extraKnown]);
    const results: FileResult[] = [];
    for (const f of files) {
      results.push(
        evaluate(
          make(new Det(lib, knownOptions)),
          f,
          heard(f, channel),
          delayMs,
          timings && timed(f, timings) ? timings : null,
        ),
      );
    }
    return results;
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

/** The targets, measured on one summary of the test split. */
function targetsOf(test: ReturnType<typeof summarize>, timings: readonly number[]) {
  const met = (ok: boolean, value: unknown) => ({ met: ok, value });
  const hold = test.recallByClass.hold ?? null;
  const ann = [test.recallByClass['hold-announce'], test.recallByClass['voice-over']];
  // Agent speech: the speech monologues and, on the unseen corpus, its hours of agent-speech.
  const agent = ['speech', 'agent-speech'].flatMap((c) => test.falsePausesPerHour[c] ?? []);
  const agentHours = agent.reduce((h, c) => h + c.hours, 0);
  const speechFp =
    agentHours > 0 ? round(agent.reduce((p, c) => p + c.pauses, 0) / agentHours, 2) : null;
  const usMedian = quantile(timings, 0.5);
  return {
    zeroLeakIn99PctEpisodes: met(
      (test.episodes.zeroLeakShare ?? 0) >= 0.99,
      test.episodes.zeroLeakShare,
    ),
    recallPureHold099: met((hold ?? 0) >= 0.99, hold),
    recallAnnounceVoiceOver095: met(
      ann.every((r) => (r ?? 0) >= 0.95),
      { 'hold-announce': ann[0], 'voice-over': ann[1] },
    ),
    falsePausesPerHourSpeechLe05: met(speechFp !== null && speechFp <= 0.5, speechFp),
    usPerFrameLe10: met((usMedian ?? Infinity) <= 10, {
      median: round(usMedian, 2),
      p99: round(quantile(timings, 0.99), 2),
    }),
  };
}

export default async function run(args: string[]): Promise<unknown> {
  const started = Date.now();
  const kind = args.includes('--unseen') ? UNSEEN : DEVELOPMENT;
  const dir = opt(args, '--corpus', kind.defaultDir);
  const loss = Number(opt(args, '--loss', '0.01'));
  const delayMs = Number(opt(args, '--delay-ms', '2500'));
  const stateOptions: { -readonly [K in keyof HoldStateOptions]?: HoldStateOptions[K] } = {};
  // `--announcement-seconds S`: both detectors as a queue with that setting runs them (the one
  // mapping a call uses); `--exit-ms` still overrides the classifier's part.
  const announcementSeconds = args.includes('--announcement-seconds')
    ? Number(opt(args, '--announcement-seconds', ''))
    : undefined;
  const announcement =
    announcementSeconds !== undefined ? announcementHoldOn(announcementSeconds) : undefined;
  if (announcement?.classifier.state?.exitMs !== undefined)
    stateOptions.exitMs = announcement.classifier.state.exitMs;
  for (const [flag, key] of [
    ['--enter-ms', 'enterMs'],
    ['--enter-score', 'enterScore'],
    ['--exit-ms', 'exitMs'],
    ['--affirm-ms', 'affirmMs'],
    ['--voice-over-ms', 'voiceOverMs'],
  ] as const) {
    if (args.includes(flag)) stateOptions[key] = Number(opt(args, flag, ''));
  }
  if (args.includes('--resume-at-change-point')) stateOptions.resumeAtChangePoint = true;
  const weightsFile = args.includes('--weights') ? opt(args, '--weights', '') : undefined;
  const provisional = !args.includes('--no-provisional');
  // As a live call runs them, the detectors are told how far back a decision still reaches: D
  // less a poll; a delay line of a poll or less reaches nothing, as in a call.
  const silentStart =
    provisional && !args.includes('--no-silent-start') && decisionReachMs(delayMs) > 0;
  const detectorOptions = {
    state: stateOptions,
    // As a live call runs it: provisional pauses against the delay line (`--no-provisional`: none).
    ...(provisional ? { delayLineMs: decisionReachMs(delayMs) } : {}),
    ...(weightsFile !== undefined ? { weights: readWeights(weightsFile) } : {}),
    ...(args.includes('--stream-start-score')
      ? { streamStartScore: Number(opt(args, '--stream-start-score', '')) }
      : {}),
    ...(args.includes('--floor-margin-db')
      ? { floor: { marginDb: Number(opt(args, '--floor-margin-db', '')) } }
      : {}),
  };
  // `--known-extra DIR [--known-extra-count N]`: the first N sound files of DIR (by name) join
  // the library, to see what a queue with more hold tracks costs per frame (the search grows
  // with the library); they should not be the corpus's own sources.
  const extraDir = args.includes('--known-extra') ? opt(args, '--known-extra', '') : undefined;
  const extraKnown =
    extraDir === undefined
      ? []
      : (await knownMusicFiles(extraDir)).slice(
          0,
          Number(opt(args, '--known-extra-count', '1000')),
        );
  await ensureCorpus(kind, dir);
  const files = await listCorpus(dir);
  const timings: number[] = [];
  const results: FileResult[] = [];
  let stateBytes = 0;
  const channel: LossModel = { loss, skipLost: args.includes('--skip-lost') };
  /** The classifier as a live call with the delay line runs it: beside the silent start. */
  const classifierSet = (): HoldMusicDetector[] => [
    new MusicClassifierDetector(detectorOptions),
    ...(silentStart ? [new SilentStartDetector(decisionReachMs(delayMs))] : []),
  ];
  for (const f of files) {
    const det = asOne(classifierSet());
    stateBytes = det.stateBytes;
    results.push(evaluate(det, f, heard(f, channel), delayMs, timed(f, timings) ? timings : null));
  }
  const test = summarize(results.filter((r) => r.file.split === 'test'));
  const all = summarize(results);
  const usMedian = quantile(timings, 0.5);
  const usP99 = quantile(timings, 0.99);
  const knownTimings: number[] = [];
  const known = await withKnownMusic(
    files.filter((x) =>
      ['hold', 'hold-announce', 'transitions', 'speech', 'agent-speech', 'music-other'].includes(
        x.cls,
      ),
    ),
    channel,
    delayMs,
    knownTimings,
    (k) => k,
    extraKnown,
    announcement?.knownMusic,
  );
  const combinedTimings: number[] = [];
  const combined = await withKnownMusic(
    files,
    channel,
    delayMs,
    combinedTimings,
    (k) => new Combined([k, ...classifierSet()]),
    extraKnown,
    announcement?.knownMusic,
  );
  const corpusVersion = readFileSync(join(dir, 'VERSION'), 'utf8').trim();
  const combinedTest = Array.isArray(combined)
    ? summarize(combined.filter((r) => r.file.split === 'test'))
    : undefined;
  return {
    corpus: dir,
    corpusVersion,
    /** The codec before G.711 of every file (CORPUS_CODEC), or `rotation`: each file's own. */
    codec: corpusCodec(dir) ?? 'rotation',
    delayMs,
    /** `--announcement-seconds`, or null: the detectors' defaults (10 s). */
    announcementSeconds: announcementSeconds ?? null,
    frameLoss: loss,
    /** What the detectors are fed for a lost frame: silence, as a live call feeds them, or nothing. */
    lostFrames: channel.skipLost ? 'skipped' : 'silence',
    /** The classifier (beside the silent start): hold music it has never heard. */
    targets: targetsOf(test, timings),
    test,
    all,
    perFrameUs: { median: round(usMedian, 2), p99: round(usP99, 2), frames: timings.length },
    stateBytesPerStream: stateBytes,
    knownMusic: Array.isArray(known)
      ? {
          /** Library tracks beyond the Asterisk MOH directory's (`--known-extra`). */
          extraTracks: extraKnown.length,
          ...summarize(known),
          /** The known-music detector alone (its share of `withKnownMusic`'s cost). */
          perFrameUs: {
            median: round(quantile(knownTimings, 0.5), 2),
            p99: round(quantile(knownTimings, 0.99), 2),
            frames: knownTimings.length,
          },
        }
      : known,
    /**
     * Known music (the Asterisk MOH directory as the queue's library) and the classifier together,
     * as a live call runs them: the corpus's hold tracks are then known, its other music is not.
     */
    withKnownMusic: combinedTest
      ? { targets: targetsOf(combinedTest, combinedTimings), test: combinedTest }
      : combined,
    runSeconds: round((Date.now() - started) / 1000, 1),
  };
}
