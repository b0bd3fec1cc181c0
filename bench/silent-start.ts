/**
 * `npm run bench -- silent-start`: what `detection.silentStart` (issue 5) buys and what it costs,
 * on the stream starts of `npm run bench -- stream-start` (scripts/stream-starts.ts, one render,
 * seed 11), each after `--silence S` seconds of a line's noise (white, −60 dBFS): a queue wait
 * that opens with `Answer()` and `Wait()`, or an agent who takes a moment to speak; and after it
 * as much again as the delay line and the start's judgement take (a stream goes on).
 *
 *   npm run bench -- silent-start [--silence 3] [--unseen] [--delay-ms 2500] [--no-packets]
 *
 * `--no-packets`: the PBX sends nothing in those seconds (its first packet comes after them), so
 * only the detectors that hear the time before a stream's first packet are fed it, as silence
 * (`hearsSilenceBeforeStream`: the silent start), and the others hear the stream from its first
 * packet, as a call feeds them (`fromFirstPacket`). Without it the PBX sends the line's noise.
 *
 * Every start is fed to fresh detectors with the delay line D, as a live call runs them: the
 * classifier beside `SilentStartDetector` (`classifier`, combined by AnyHold) and without it
 * (`classifierOff`), and, for a queue without the classifier, `SilentStartDetector` alone
 * (`alone`: no known music, as none of these tracks is known). The gate is modelled as in
 * `bench moh` (`bench/support/gate-model.ts`: a call's guards and poll). Reported per
 * detector set:
 * - music starts (all of it hold): in how many any of the silence or of the music was written
 *   (`music.written`);
 * - prompt starts (an agent; speech as recorded and pitched down): in how many any of the prompt
 *   was paused (`speech.voicePaused`, the agent's words lost) and in how many the silence was
 *   (`speech.silencePaused`, what a caller said there lost);
 * each with how many had more than half a second of it and the mean seconds of those that had any.
 * Runtime: 1–2 minutes (decoding and rendering the starts is most of it).
 */
import { parseArgs } from 'node:util';
import { MusicClassifierDetector } from '../src/detect/classifier/music-classifier-detector.js';
import { START_JUDGE_MS, SilentStartDetector } from '../src/detect/silent-start/index.js';
import type { HoldMusicDetector } from '../src/detect/types.js';
import { Combined, fromFirstPacket } from './support/combined.js';
import { gateModel } from './support/gate-model.js';
import { decisionReachMs, POLL_MS } from '../src/calls/poll-timing.js';
import { seededRandom } from '../src/detect/known-music/test-signals.js';
import {
  DEV_START_SOURCES,
  type Start,
  UNSEEN_START_SOURCES,
  streamStarts,
} from '../scripts/stream-starts.js';

/** The starts' render seed (as `bench stream-start`). */
const SEED = 11;
/** The line's noise before a start, dBFS (white; the corpora's floors lie at −66…−54). */
const NOISE_DB = -60;

/**
 * `silenceMs` of white noise at NOISE_DB, then `pcm`, then `tailMs` more of the noise: a stream
 * goes on after a short prompt, and a pause is judged only then.
 */
function inSilence(
  pcm: Int16Array,
  silenceMs: number,
  tailMs: number,
  rand: () => number,
): Int16Array {
  const n = silenceMs * 8;
  const out = new Int16Array(n + pcm.length + tailMs * 8);
  // Uniform noise of RMS a has peak a·√3.
  const peak = 32768 * 10 ** (NOISE_DB / 20) * Math.sqrt(3);
  for (let i = 0; i < out.length; i++) out[i] = Math.round((2 * rand() - 1) * peak);
  out.set(pcm, n);
  return out;
}

const count = (eff: Uint8Array, from: number, to: number, value: number): number => {
  let c = 0;
  for (let k = from; k < to; k++) if (eff[k] === value) c++;
  return c;
};

interface Tally {
  starts: number;
  /** Starts with any of it, and with more than half a second. */
  hit: number;
  over05: number;
  seconds: number;
}

const tally = (): Tally => ({ starts: 0, hit: 0, over05: 0, seconds: 0 });
const add = (t: Tally, frames: number): void => {
  t.starts++;
  if (frames > 0) t.hit++;
  if (frames > 25) t.over05++;
  t.seconds += frames * 0.02;
};
const report = (t: Tally) => ({
  starts: t.starts,
  count: t.hit,
  countOver05S: t.over05,
  /** Mean seconds over the starts that have any. */
  meanS: t.hit > 0 ? Math.round((t.seconds / t.hit) * 100) / 100 : 0,
});

export default async function run(args: string[]): Promise<unknown> {
  const { values } = parseArgs({
    args,
    options: {
      silence: { type: 'string', default: '3' },
      'delay-ms': { type: 'string', default: '2500' },
      unseen: { type: 'boolean', default: false },
      'no-packets': { type: 'boolean', default: false },
    },
  });
  const silenceS = Number(values.silence);
  const delayMs = Number(values['delay-ms']);
  // What the detectors are told, as a call tells them: D less a poll.
  const reachMs = decisionReachMs(delayMs);
  if (!(silenceS >= 0) || !(reachMs > 0))
    throw new Error(`--silence must be ≥ 0, --delay-ms > ${POLL_MS} (a poll)`);
  const unseen = values.unseen;
  const started = Date.now();
  const starts: Start[] = await streamStarts(
    unseen ? UNSEEN_START_SOURCES : DEV_START_SOURCES,
    1,
    SEED,
  );
  if (!starts.some((s) => s.kind === 'music') || !starts.some((s) => s.kind !== 'music'))
    throw new Error(
      'no prompts or no music: run scripts/setup.sh and scripts/make-corpus.sh first',
    );
  const silenceFrames = Math.round((silenceS * 1000) / 20);
  // With --no-packets the silence is the time before the PBX's first packet.
  const firstPacketMs = values['no-packets'] ? silenceFrames * 20 : 0;
  const at = (detector: HoldMusicDetector): HoldMusicDetector =>
    firstPacketMs > 0 ? fromFirstPacket(detector, firstPacketMs) : detector;
  const sets: Record<string, () => HoldMusicDetector> = {
    classifier: () =>
      new Combined([
        at(new MusicClassifierDetector({ delayLineMs: reachMs })),
        at(new SilentStartDetector(reachMs)),
      ]),
    classifierOff: () => at(new MusicClassifierDetector({ delayLineMs: reachMs })),
    alone: () => at(new SilentStartDetector(reachMs)),
  };
  const rand = seededRandom(SEED);
  const out: Record<string, unknown> = {};
  // What follows a start: long enough for a pause to be judged and to leave the delay line.
  const tailMs = delayMs + START_JUDGE_MS;
  const inputs = starts.map((s) => ({
    start: s,
    pcm: inSilence(s.pcm, silenceS * 1000, tailMs, rand),
    frames: Math.floor(s.pcm.length / 160),
  }));
  for (const [name, make] of Object.entries(sets)) {
    const written = tally();
    const voicePaused = tally();
    const silencePaused = tally();
    for (const { start, pcm, frames } of inputs) {
      const eff = gateModel(make(), pcm, delayMs).paused;
      if (start.kind === 'music') add(written, count(eff, 0, silenceFrames + frames, 0));
      else {
        add(voicePaused, count(eff, silenceFrames, silenceFrames + frames, 1));
        add(silencePaused, count(eff, 0, silenceFrames, 1));
      }
    }
    out[name] = {
      music: { written: report(written) },
      speech: { voicePaused: report(voicePaused), silencePaused: report(silencePaused) },
    };
  }
  return {
    unseen,
    silenceS,
    noPackets: values['no-packets'],
    delayMs,
    ...out,
    runSeconds: (Date.now() - started) / 1000,
  };
}
