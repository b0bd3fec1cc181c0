import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { onePerSound } from './sound-formats.js';

/**
 * The files of one known-music source (`detection.knownMusic`, `holdgate classify --known`): a
 * file is itself, whatever its name; a directory gives its sound files, one per sound (see
 * `onePerSound`: an Asterisk moh directory may hold each track as .wav, .gsm and .g722, and the
 * track is fingerprinted once). Not recursive: an Asterisk moh class is one flat directory.
 * Rejects (ENOENT, EACCES) when the source cannot be read.
 */
export async function knownMusicFiles(source: string): Promise<string[]> {
  const info = await stat(source);
  if (!info.isDirectory()) return [source];
  const entries = await readdir(source, { withFileTypes: true });
  const names = entries.filter((e) => e.isFile() || e.isSymbolicLink()).map((e) => e.name);
  return onePerSound(names).map((name) => join(source, name));
}
