import { readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { Logger } from '../shared/logger.js';
import type { Config } from '../config/schema.js';
import { MusicClassifierDetector } from '../detect/classifier/index.js';
import type { HoldMusicDetector } from '../detect/types.js';
import {
  decodeAudioFile,
  KnownMusicDetector,
  KnownMusicLibrary,
} from '../detect/known-music/index.js';

/** Audio files ffmpeg reads with a header (raw Asterisk formats such as .gsm/.ulaw/.sln are not). */
const AUDIO_EXTENSIONS = new Set([
  '.wav',
  '.mp3',
  '.flac',
  '.ogg',
  '.opus',
  '.m4a',
  '.aac',
  '.wma',
]);

/** A queue's hold detection: fresh detectors per call, and where learned hold music goes. */
export interface QueueDetection {
  readonly detectors: () => HoldMusicDetector[];
  /** Add audio judged hold to the queue's known-music library (issue 5, Build item 3). */
  readonly learn?: (name: string, pcm: Int16Array) => void;
}

export type DetectorFactories = ReadonlyMap<string, QueueDetection>;

/**
 * Fingerprint every queue's known hold music once at start-up (one library per distinct list of
 * files, shared by the queues that name it) and return, per queue, a factory of fresh detectors.
 * A file that cannot be read is logged and skipped; a queue whose list yields nothing runs
 * without the known-music detector.
 */
export async function setUpHoldDetection(
  config: Readonly<Config>,
  logger: Logger,
): Promise<DetectorFactories> {
  const libraries = new Map<string, Promise<KnownMusicLibrary | undefined>>();
  const factories = new Map<string, QueueDetection>();
  for (const queue of config.queues) {
    const sources = queue.detection?.knownMusic ?? config.detection.knownMusic;
    const key = [...sources].sort().join('\u0000');
    if (!libraries.has(key)) libraries.set(key, loadLibrary(sources, logger));
    const classifier = queue.detection?.classifier ?? config.detection.classifier;
    // With the classifier on, a queue always has a library: what it judges hold is learned there.
    const library =
      (await libraries.get(key)) ?? (classifier ? new KnownMusicLibrary() : undefined);
    if (!library) continue;
    factories.set(queue.name, {
      detectors: () => [
        new KnownMusicDetector(library),
        ...(classifier ? [new MusicClassifierDetector()] : []),
      ],
      ...(classifier
        ? {
            learn: (name: string, pcm: Int16Array) => {
              library.learn(name, pcm);
              logger.info(
                { queue: queue.name, name, seconds: pcm.length / 8000 },
                'hold music learned',
              );
            },
          }
        : {}),
    });
  }
  return factories;
}

async function loadLibrary(
  sources: readonly string[],
  logger: Logger,
): Promise<KnownMusicLibrary | undefined> {
  if (sources.length === 0) return undefined;
  const files: string[] = [];
  for (const source of sources) {
    try {
      const info = await stat(source);
      if (info.isDirectory()) {
        for (const name of (await readdir(source)).sort()) {
          if (AUDIO_EXTENSIONS.has(extname(name).toLowerCase())) files.push(join(source, name));
        }
      } else {
        files.push(source);
      }
    } catch (err) {
      logger.warn({ err, source }, 'known hold music not readable');
    }
  }
  if (files.length === 0) return undefined;
  const started = Date.now();
  const library = new KnownMusicLibrary();
  for (const file of files) {
    try {
      library.learn(file, await decodeAudioFile(file));
    } catch (err) {
      logger.warn({ err, file }, 'known hold music could not be decoded');
    }
  }
  if (library.frames === 0) return undefined;
  logger.info(
    { files: files.length, frames: library.frames, ms: Date.now() - started },
    'known hold music fingerprinted',
  );
  return library;
}
