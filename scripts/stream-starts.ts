/**
 * Stream starts for the classifier's stream-start look (issue 5): the first seconds of speech
 * (Asterisk prompts) and of music (a start every 6 s of each track), through the telephone
 * channel of train-classifier.ts. `npm run bench -- stream-start` measures the look on them, from
 * the development corpus's sources or the unseen corpus's. It lives here, next to the corpus
 * tools it draws on, because every module in bench/ is a bench to `npm run bench`.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { decodeAudioFile, readWav8k } from '../src/detect/known-music/index.js';
import {
  NOT_SPEECH,
  dropFrames,
  fnv1a,
  resample,
  seededRandom,
  telephone,
} from './train-classifier.js';

/** Where a corpus's voices and music come from (the sources of make-corpus.sh / make-unseen-corpus.sh). */
export interface StartSources {
  /** Directories under /usr/share/asterisk/sounds with WAV prompts. */
  readonly voices: readonly string[];
  readonly music: readonly string[];
}

export const DEV_START_SOURCES: StartSources = {
  voices: ['en_US_f_Allison', 'es_MX_f_Allison', 'fr_CA_f_June'],
  music: [
    '/usr/share/asterisk/moh',
    '/usr/share/games/wesnoth/1.16/data/core/music',
    '/usr/share/games/singularity/music',
  ],
};

/**
 * The unseen corpus's voices (it and ru as WAV; es and fr as GSM, `asterisk-prompt-es-co` and
 * `-fr-armelle`, the voices of most of its agent-speech files) and its music.
 */
export const UNSEEN_START_SOURCES: StartSources = {
  voices: ['it_IT_m_Carlo', 'ru_RU_f_IvrvoiceRU', 'es', 'fr'],
  music: [
    '/usr/share/hyperrogue/music',
    '/usr/share/scummvm/drascula/audio',
    '/usr/share/planetblupi/music',
  ],
};

const SOUNDS = '/usr/share/asterisk/sounds';
/** Prompts that are not spoken at all (screeching monkeys, a jingle): make-unseen-corpus.sh leaves them out too. */
const NOT_SPOKEN = /monkeys|jingle/;
/** A music start every this many seconds of a track, over its first STARTS_WITHIN_S. */
const START_STEP_S = 6;
const STARTS_WITHIN_S = 180;
/** Seconds of each start rendered. */
export const START_S = 8;
/** A start begins at the first sample above −60 dBFS, as make-corpus.sh's decode cuts music. */
const SILENCE = 33;

/** One rendered stream start. */
export interface Start {
  readonly name: string;
  readonly kind: 'speech' | 'speech-low' | 'music';
  /** START_S seconds (less for a shorter prompt) of telephone-channel PCM with lost frames. */
  readonly pcm: Int16Array;
}

/** Prompt files: Asterisk's voices come as WAV, and some (the unseen corpus's es, fr) as GSM. */
const PROMPT_FILE = /\.(wav|gsm)$/i;
/**
 * Music files. Not GSM: /usr/share/asterisk/moh holds each track as .wav, .gsm and .g722 once
 * `asterisk-moh-opsound-gsm` and `-g722` are installed, and each track counts once.
 */
const MUSIC_FILE = /\.(wav|ogg|opus|flac)$/i;

/**
 * The files directly in `dir` whose names match `kind`, sorted: the corpus scripts list their
 * sources this way (`"$SING"/*.ogg`). train-classifier.ts's `audioFiles` recurses, for warzone's
 * album folders, and would add Singularity's `win/` track, which no corpus uses.
 */
function audioFiles(dir: string, kind: RegExp): string[] {
  try {
    return readdirSync(dir)
      .filter((n) => kind.test(n))
      .sort()
      .map((n) => join(dir, n));
  } catch {
    return [];
  }
}

/**
 * Every start of `sources`, rendered `renders` times: speech as recorded and pitched down by
 * 15–30 % (`speech-low`, linear resampling, which lowers the formants too: a rough stand-in for
 * a male voice), music from each start. Each render draws its own active level (−35…−12 dBFS)
 * and white noise floor (−66…−54 dBFS, the corpora's range) and loses 1 % of its frames, all
 * from `seed`. Prompts under 0.5 s are left out.
 */
export async function streamStarts(
  sources: StartSources,
  renders: number,
  seed: number,
): Promise<Start[]> {
  const prompts: { name: string; pcm: Int16Array }[] = [];
  for (const v of sources.voices) {
    for (const path of audioFiles(join(SOUNDS, v), PROMPT_FILE)) {
      const name = path.slice(SOUNDS.length + 1);
      if (NOT_SPEECH.test(name) || NOT_SPOKEN.test(name)) continue;
      // WAV is read directly (thousands of prompts); GSM through ffmpeg (sound-formats.ts).
      const pcm = path.endsWith('.wav') ? readWav8k(path) : await decodeAudioFile(path);
      if (pcm.length >= 4000) prompts.push({ name, pcm: pcm.subarray(0, START_S * 8000) });
    }
  }
  const music: { name: string; pcm: Int16Array }[] = [];
  for (const dir of sources.music) {
    for (const path of audioFiles(dir, MUSIC_FILE)) {
      let pcm: Int16Array;
      try {
        pcm = await decodeAudioFile(path);
      } catch {
        continue; // a file ffmpeg cannot read
      }
      const end = Math.min(pcm.length - START_S * 8000, STARTS_WITHIN_S * 8000);
      for (let off = 0; off < end; off += START_STEP_S * 8000) {
        let from = off;
        while (from < end && Math.abs(pcm[from]!) < SILENCE) from++;
        if (from < end)
          music.push({
            name: `${path.slice(path.lastIndexOf('/') + 1)}@${off / 8000}`,
            pcm: pcm.slice(from, from + START_S * 8000),
          });
      }
    }
  }
  const rand = seededRandom(seed);
  const channel = (x: Float64Array, key: string): Int16Array =>
    dropFrames(
      telephone(x, -35 + 23 * rand(), -66 + 12 * rand(), rand),
      0.01,
      seededRandom(fnv1a(key)),
    );
  const out: Start[] = [];
  for (let r = 0; r < renders; r++) {
    for (const p of prompts) {
      const key = `${p.name}#${r}`;
      out.push({ name: key, kind: 'speech', pcm: channel(resample(p.pcm, 1), key) });
      const low = resample(p.pcm, 0.7 + 0.15 * rand());
      out.push({ name: `${key}low`, kind: 'speech-low', pcm: channel(low, `${key}low`) });
    }
    for (const m of music) {
      const key = `${m.name}#${r}`;
      out.push({ name: key, kind: 'music', pcm: channel(resample(m.pcm, 1), key) });
    }
  }
  return out;
}
