import type { Logger } from '../shared/logger.js';
import type { Config, QueueConfig } from '../config/schema.js';
import { announcementHoldOn } from '../detect/announcement-hold-on.js';
import { MusicClassifierDetector } from '../detect/classifier/index.js';
import { SilentStartDetector } from '../detect/silent-start/index.js';
import type { HoldMusicDetector } from '../detect/types.js';
import {
  decodeAudioFile,
  KnownMusicDetector,
  KnownMusicLibrary,
  knownMusicFiles,
} from '../detect/known-music/index.js';

/** A queue's hold detection: fresh detectors per call, and where learned hold music goes. */
export interface QueueDetection {
  /**
   * Fresh detectors for one call. `delayLineMs`: the call's delay line D, which the classifier
   * pauses provisionally against (`MusicClassifierOptions.delayLineMs`), and against which a
   * silent stream start is paused (`detection.silentStart`); absent: neither.
   */
  readonly detectors: (delayLineMs?: number) => HoldMusicDetector[];
  /** Add audio judged hold to the queue's known-music library (issue 5, Build item 3). */
  readonly learn?: (name: string, pcm: Int16Array, musicFromSample?: number) => void;
}

/** Hold detection for any queue, including queues created after start-up. */
export interface HoldDetection {
  forQueue(queue: QueueConfig): QueueDetection | undefined;
  /**
   * The queues configured now (the admin API's, refreshed from the store): what no queue uses any
   * more is let go: the learned hold music of a queue that is gone, or that now has known music
   * of its own or the classifier off, and a known-music library that no queue and not the global
   * default names. Calls still running keep what they were given.
   */
  retainQueues(queues: readonly QueueConfig[]): void;
}

/**
 * Fingerprint the known hold music of every configured queue once at start-up (one library per
 * distinct list of files, shared by the queues that name it). A queue created later with a list
 * nobody loaded yet gets its library loaded in the background; its calls until then run without
 * it. A file that cannot be read is logged and skipped.
 */
export async function setUpHoldDetection(
  config: Readonly<Config>,
  logger: Logger,
): Promise<HoldDetection> {
  const libraries = new Map<string, KnownMusicLibrary | undefined>();
  const loading = new Map<string, Promise<void>>();
  const sourcesOf = (queue: QueueConfig): readonly string[] =>
    queue.detection?.knownMusic ?? config.detection.knownMusic;
  const keyOf = (sources: readonly string[]): string => [...sources].sort().join('\u0000');
  const classifierOf = (queue: QueueConfig): boolean =>
    queue.detection?.classifier ?? config.detection.classifier;
  const maxLearnedSeconds = config.detection.learnedMinutes * 60;
  const load = (sources: readonly string[]): Promise<void> => {
    const key = keyOf(sources);
    const pending = loading.get(key);
    if (pending) return pending;
    const p: Promise<void> = loadLibrary(sources, maxLearnedSeconds, logger).then((library) => {
      // Not if the library was let go while it loaded (retainQueues).
      if (loading.get(key) === p) libraries.set(key, library);
    });
    loading.set(key, p);
    return p;
  };
  const defaultKey = keyOf(config.detection.knownMusic);
  await Promise.all(config.queues.map((q) => load(sourcesOf(q))));
  // Learned music goes into a queue's own library when it has no known music configured.
  const learned = new Map<string, KnownMusicLibrary>();
  return {
    retainQueues(queues) {
      const byName = new Map(queues.map((q) => [q.name, q]));
      // A queue learns into a library of its own only while it has the classifier and no known
      // music of its own loaded (see forQueue).
      const unused = (queue: QueueConfig | undefined): string | undefined => {
        if (!queue) return 'queue gone';
        if (!classifierOf(queue)) return 'classifier off';
        if (libraries.get(keyOf(sourcesOf(queue)))) return 'known music configured';
        return undefined;
      };
      for (const [name, library] of learned) {
        const reason = unused(byName.get(name));
        if (reason === undefined) continue;
        learned.delete(name);
        logger.info(
          { queue: name, learnedSeconds: Math.round(library.learnedSeconds), reason },
          'learned hold music let go',
        );
      }
      const keys = new Set(queues.map((q) => keyOf(sourcesOf(q))));
      for (const key of loading.keys()) {
        if (keys.has(key) || key === defaultKey) continue;
        loading.delete(key);
        libraries.delete(key);
      }
    },
    forQueue(queue) {
      const sources = sourcesOf(queue);
      const key = keyOf(sources);
      if (!loading.has(key)) void load(sources);
      const classifier = classifierOf(queue);
      let library = libraries.get(key);
      if (!library && classifier) {
        library = learned.get(queue.name) ?? new KnownMusicLibrary({ maxLearnedSeconds });
        learned.set(queue.name, library);
      }
      if (!library) return undefined;
      const lib = library;
      // One knob for both detectors: how long the PBX may play no music (an announcement) and
      // the caller still be on hold.
      const holdOn = announcementHoldOn(
        queue.detection?.announcementSeconds ?? config.detection.announcementSeconds,
      );
      const silentStart = queue.detection?.silentStart ?? config.detection.silentStart;
      return {
        detectors: (delayLineMs?: number) => [
          new KnownMusicDetector(lib, holdOn.knownMusic),
          ...(classifier
            ? [
                new MusicClassifierDetector({
                  ...holdOn.classifier,
                  ...(delayLineMs !== undefined ? { delayLineMs } : {}),
                }),
              ]
            : []),
          ...(silentStart && delayLineMs !== undefined && delayLineMs > 0
            ? [new SilentStartDetector(delayLineMs)]
            : []),
        ],
        ...(classifier && maxLearnedSeconds > 0
          ? {
              learn: (name: string, pcm: Int16Array, musicFromSample = 0) => {
                const forgotten = lib.learn(name, pcm, musicFromSample);
                logger.info(
                  {
                    queue: queue.name,
                    name,
                    seconds: pcm.length / 8000,
                    ...(musicFromSample > 0 ? { streamStartSeconds: musicFromSample / 8000 } : {}),
                    learnedSeconds: Math.round(lib.learnedSeconds),
                    ...(forgotten.length > 0 ? { forgotten } : {}),
                  },
                  'hold music learned',
                );
              },
            }
          : {}),
      };
    },
  };
}

async function loadLibrary(
  sources: readonly string[],
  maxLearnedSeconds: number,
  logger: Logger,
): Promise<KnownMusicLibrary | undefined> {
  if (sources.length === 0) return undefined;
  const files: string[] = [];
  for (const source of sources) {
    try {
      const found = await knownMusicFiles(source);
      if (found.length === 0) logger.warn({ source }, 'no hold music files in known-music source');
      files.push(...found);
    } catch (err) {
      logger.warn({ err, source }, 'known hold music not readable');
    }
  }
  if (files.length === 0) return undefined;
  const started = Date.now();
  const library = new KnownMusicLibrary({ maxLearnedSeconds });
  for (const file of files) {
    try {
      library.addTrack(file, await decodeAudioFile(file));
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
