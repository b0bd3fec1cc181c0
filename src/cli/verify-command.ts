import { verifyRecording } from '../recorder/index.js';

/**
 * `holdgate verify <recording>`: recompute the audio file's SHA-256 and check it and the metadata.
 * `<recording>` is the metadata `.json`, the audio file, or the path without extension.
 * Exit 0 when intact, 1 when not (the reason on stderr), 2 for a usage error.
 */
export async function verifyCommand(args: readonly string[]): Promise<number> {
  const [path, extra] = args;
  if (path === undefined || extra !== undefined) {
    process.stderr.write('usage: holdgate verify <recording>\n');
    return 2;
  }
  const result = await verifyRecording(path);
  if (result.ok) {
    process.stdout.write(`${path}: intact\n`);
    return 0;
  }
  process.stderr.write(`${path}: NOT intact: ${result.reason}\n`);
  return 1;
}
