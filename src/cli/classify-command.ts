import { parseArgs } from 'node:util';
import { MusicClassifierDetector } from '../detect/classifier/index.js';
import { classifyFile } from '../detect/classify-file.js';

/**
 * `holdgate classify <file> [--known <dir>] [--no-classifier]`: run the live hold detectors over
 * any audio file ffmpeg reads and print JSON lines `{"t", "state", "cause"}` at every state change,
 * then one summary line.
 */
export async function classifyCommand(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { known: { type: 'string' }, 'no-classifier': { type: 'boolean' } },
    allowPositionals: true,
  });
  const [file, extra] = positionals;
  if (file === undefined || extra !== undefined) {
    process.stderr.write('usage: holdgate classify <file> [--known <dir>] [--no-classifier]\n');
    return 2;
  }
  const detectors = values['no-classifier'] === true ? [] : [new MusicClassifierDetector()];
  try {
    for await (const line of classifyFile(file, {
      detectors,
      ...(values.known !== undefined ? { known: values.known } : {}),
    })) {
      process.stdout.write(`${JSON.stringify(line)}\n`);
    }
  } catch (err) {
    process.stderr.write(
      `holdgate classify: ${err instanceof Error ? err.message : String(err)}\n`,
    );
    return 1;
  }
  return 0;
}
