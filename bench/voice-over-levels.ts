/**
 * `npm run bench -- voice-over-levels --stems DIR`: how far under the voice each voice-over's music
 * lies, as the unseen corpus sets it and as the telephone channel carries it (issue 5: "voice-over
 * on music" is hold, "agent speech with quiet background music" is not).
 *
 *   CORPUS_SEED=7 CORPUS_STEMS=/tmp/us7-stems scripts/make-unseen-corpus.sh /tmp/us7
 *   npm run bench -- voice-over-levels --stems /tmp/us7-stems
 *
 * `CORPUS_STEMS` makes the corpus script write, beside each voice-over it renders (the same files
 * with or without it), `<name>.voice.wav` and `<name>.music.wav`: the voice and the music at the
 * gain it is mixed at, before the telephone channel. Reported per voice-over, music RMS against
 * voice RMS in dB (negative: under the voice):
 * - `fullBand30s`: over the full band and all 30 s, as the script sets it (2–10 dB under);
 * - `band30s` and `bandFirst3s`: in the telephone band (300–3400 Hz, the channel's), over all 30 s
 *   and over the first 3 s, which decide whether a hold from the stream's start leaks with
 *   D = 2.5 s. A radio behind an agent, the negative class, is set 16–26 dB under (full band).
 * Runtime: a second.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { RealFft } from '../src/detect/real-fft.js';
import { readWav8k } from '../src/detect/known-music/index.js';

const FFT_SIZE = 256;
const BIN_HZ = 8000 / FFT_SIZE;
const LOW_BIN = Math.ceil(300 / BIN_HZ);
const HIGH_BIN = Math.floor(3400 / BIN_HZ);
const HANN = Float64Array.from(
  { length: FFT_SIZE },
  (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / FFT_SIZE),
);

/** Mean square of `pcm[from, to)` over the full band. */
export function fullBandPower(pcm: Int16Array, from: number, to: number): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += pcm[i]! * pcm[i]!;
  return sum / Math.max(1, to - from);
}

/** Mean power of `pcm[from, to)` in 300–3400 Hz: Hann-windowed 256-sample frames, half overlapped. */
function bandPower(pcm: Int16Array, from: number, to: number): number {
  const fft = new RealFft(FFT_SIZE);
  const input = new Float64Array(FFT_SIZE);
  const spectrum = new Float64Array(FFT_SIZE / 2 + 1);
  let sum = 0;
  let frames = 0;
  for (let at = from; at + FFT_SIZE <= to; at += FFT_SIZE / 2) {
    for (let i = 0; i < FFT_SIZE; i++) input[i] = pcm[at + i]! * HANN[i]!;
    fft.power(input, spectrum, HIGH_BIN + 1);
    for (let k = LOW_BIN; k <= HIGH_BIN; k++) sum += spectrum[k]!;
    frames++;
  }
  return sum / Math.max(1, frames);
}

const db = (music: number, voice: number): number =>
  Math.round(10 * Math.log10((music + 1e-9) / (voice + 1e-9)) * 10) / 10;

export default function run(args: string[]): Promise<unknown> {
  const i = args.indexOf('--stems');
  const dir = i >= 0 ? args[i + 1] : undefined;
  if (!dir) throw new RangeError('--stems DIR (CORPUS_STEMS=DIR scripts/make-unseen-corpus.sh …)');
  const names = readdirSync(dir)
    .filter((f) => f.endsWith('.voice.wav'))
    .map((f) => f.slice(0, -'.voice.wav'.length))
    .sort();
  if (names.length === 0) throw new Error(`no <name>.voice.wav in ${dir}`);
  const voiceOvers = names.map((name) => {
    const voice = readWav8k(join(dir, `${name}.voice.wav`));
    const music = readWav8k(join(dir, `${name}.music.wav`));
    const n = Math.min(voice.length, music.length);
    const first = Math.min(n, 3 * 8000);
    return {
      name,
      fullBand30s: db(fullBandPower(music, 0, n), fullBandPower(voice, 0, n)),
      band30s: db(bandPower(music, 0, n), bandPower(voice, 0, n)),
      bandFirst3s: db(bandPower(music, 0, first), bandPower(voice, 0, first)),
    };
  });
  return Promise.resolve({ stems: dir, musicUnderVoiceDb: voiceOvers });
}
