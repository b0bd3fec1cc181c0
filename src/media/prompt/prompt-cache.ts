import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import ffmpeg from 'fluent-ffmpeg';
import { HoldgateError } from '../../errors/registry.js';
import type { G711Law } from '../g711/g711-law.js';

export interface PromptCacheOptions {
  /** Directory for converted files (created if missing). */
  cacheDir: string;
  /** ffmpeg binary (default: `ffmpeg` from PATH). */
  ffmpegPath?: string;
}

/** A prompt converted to raw G.711 at 8 kHz mono, one byte per sample. */
export interface ConvertedPrompt {
  audio: Buffer;
  law: G711Law;
  /** SHA-256 (hex) of the source file's content. */
  sourceSha256: string;
  /** The cache file holding `audio`. */
  path: string;
  durationMs: number;
}

/**
 * Converts prompt files (any format ffmpeg reads) once to raw G.711 (`-ar 8000 -ac 1 -f mulaw` or
 * `-f alaw`) and keeps the result in a cache directory keyed by the SHA-256 of the file content
 * and the law, so a renamed or re-deployed file is not converted again and an edited one is.
 * Conversions run in an ffmpeg child process, off the media path; concurrent requests for the
 * same key share one conversion.
 */
export class PromptCache {
  readonly #dir: string;
  readonly #ffmpegPath: string | undefined;
  readonly #inflight = new Map<string, Promise<ConvertedPrompt>>();

  constructor(options: PromptCacheOptions) {
    this.#dir = options.cacheDir;
    this.#ffmpegPath = options.ffmpegPath;
  }

  /**
   * The prompt `file` in `law`, converted if not cached yet.
   * @throws HoldgateError `HG_ERR_PROMPT_CONVERT` when the file cannot be read or converted
   */
  async load(file: string, law: G711Law): Promise<ConvertedPrompt> {
    let content: Buffer;
    try {
      content = await readFile(file);
    } catch (err) {
      throw new HoldgateError('HG_ERR_PROMPT_CONVERT', `cannot read ${file}`, { file, law }, err);
    }
    const sha = createHash('sha256').update(content).digest('hex');
    const key = `${sha}.${law}`;
    let job = this.#inflight.get(key);
    if (job === undefined) {
      job = this.#loadOrConvert(file, law, sha, key);
      this.#inflight.set(key, job);
      // Keep only successful results memoized; a failure may be retried.
      job.catch(() => this.#inflight.delete(key));
    }
    return job;
  }

  async #loadOrConvert(
    file: string,
    law: G711Law,
    sha: string,
    key: string,
  ): Promise<ConvertedPrompt> {
    const path = join(this.#dir, key);
    const cached = await stat(path).catch(() => undefined);
    if (cached === undefined || cached.size === 0) {
      await mkdir(this.#dir, { recursive: true });
      const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        await this.#convert(file, law, tmp);
        const out = await stat(tmp);
        if (out.size === 0) throw new Error('ffmpeg produced no audio');
        await rename(tmp, path);
      } catch (err) {
        await rm(tmp, { force: true });
        throw new HoldgateError(
          'HG_ERR_PROMPT_CONVERT',
          `${file}: ${err instanceof Error ? err.message.split('\n')[0]! : String(err)}`,
          { file, law },
          err,
        );
      }
    }
    const audio = await readFile(path);
    return { audio, law, sourceSha256: sha, path, durationMs: audio.length / 8 };
  }

  #convert(file: string, law: G711Law, out: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const cmd = ffmpeg(file)
        .noVideo()
        .audioChannels(1)
        .audioFrequency(8000)
        .audioCodec(law === 'ulaw' ? 'pcm_mulaw' : 'pcm_alaw')
        .format(law === 'ulaw' ? 'mulaw' : 'alaw')
        .on('error', (err: Error) => {
          reject(err);
        })
        .on('end', () => {
          resolve();
        });
      if (this.#ffmpegPath !== undefined) cmd.setFfmpegPath(this.#ffmpegPath);
      cmd.save(out);
    });
  }
}
