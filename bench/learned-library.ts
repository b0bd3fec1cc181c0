/**
 * `npm run bench -- learned-library`: what a queue's learned hold music costs at its limit
 * (issue 5, Build item 3; `detection.learnedMinutes`).
 *
 *   npm run bench -- learned-library [--minutes 60,240]
 *
 * For each limit, a library learns 20 s chunks of hold music that never repeats (excerpts of
 * Asterisk's `reno_project-system` from random offsets, at random levels, through G.711 with 1 %
 * lost frames), as many as fill the limit plus 30 more, each forgetting the oldest. Reported: the
 * learned seconds kept, the memory of the reference frames and the index (their typed arrays),
 * and the time of the last 30 `learn` calls (median, max), which run on the main thread:
 * fingerprinting the chunk, forgetting, and re-indexing everything kept.
 */
import { KnownMusicLibrary } from '../src/detect/known-music/known-music-library.js';
import {
  channel,
  mohPath,
  readWav8k,
  seededRandom,
} from '../src/detect/known-music/test-signals.js';

const CHUNK_SECONDS = 20;
const MEASURED = 30;

export default function run(args: string[]): Promise<unknown> {
  const i = args.indexOf('--minutes');
  const limits = (i >= 0 ? (args[i + 1] ?? '') : '60,240').split(',').map(Number);
  if (limits.some((m) => !(m > 0)))
    throw new RangeError('--minutes: positive numbers, e.g. 60,240');
  const music = readWav8k(mohPath('reno_project-system'));
  const chunk = CHUNK_SECONDS * 8000;
  const rand = seededRandom(1);
  const out = limits.map((minutes) => {
    const library = new KnownMusicLibrary({ maxLearnedSeconds: minutes * 60 });
    const chunks = Math.ceil((minutes * 60) / CHUNK_SECONDS) + MEASURED;
    const ms: number[] = [];
    let forgotten = 0;
    for (let c = 0; c < chunks; c++) {
      const from = Math.floor(rand() * (music.length - chunk));
      const pcm = channel(music.subarray(from, from + chunk), -6 - (c % 7), 0.01, rand);
      const t0 = process.hrtime.bigint();
      forgotten += library.learn(`queue/call-${c}#1`, pcm).length;
      if (c >= chunks - MEASURED) ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    ms.sort((a, b) => a - b);
    return {
      minutes,
      learnCalls: chunks,
      forgotten,
      learnedSeconds: Math.round(library.learnedSeconds),
      memoryMB: {
        refs: Math.round(library.refs.byteLength / 1e4) / 100,
        index: Math.round((library.entries.byteLength + library.heads.byteLength) / 1e4) / 100,
      },
      learnMs: {
        median: Math.round(ms[ms.length >> 1]! * 10) / 10,
        max: Math.round(ms[ms.length - 1]! * 10) / 10,
      },
    };
  });
  return Promise.resolve(out);
}
