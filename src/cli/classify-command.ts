import { parseArgs } from 'node:util';
import { announcementHoldOn } from '../detect/announcement-hold-on.js';
import { MusicClassifierDetector } from '../detect/classifier/index.js';
import { classifyFile } from '../detect/classify-file.js';

const USAGE =
  'usage: holdgate classify <file> [--known <dir>] [--announcement-seconds <s>] [--no-classifier]\n';

/**
 * `holdgate classify <file> [--known <dir>] [--announcement-seconds <s>] [--no-classifier]`: run
 * the live hold detectors over any audio file ffmpeg reads and print JSON lines
 * `{"t", "state", "cause"}` at every state change, then one summary line.
 */
export async function classifyCommand(args: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      options: {
        known: { type: 'string' },
        'announcement-seconds': { type: 'string' },
        'no-classifier': { type: 'boolean' },
      },
      allowPositionals: true,
    });
  } catch (err) {
    // An unknown option, a missing value, a value that looks like an option: say which.
    process.stderr.write(
      `holdgate classify: ${err instanceof Error ? err.message : String(err)}\n${USAGE}`,
    );
    return 2;
  }
  const { values, positionals } = parsed;
  const [file, extra] = positionals;
  if (file === undefined || extra !== undefined) {
    process.stderr.write(USAGE);
    return 2;
  }
  const announcement = values['announcement-seconds'];
  const announcementSeconds = announcement === undefined ? undefined : Number(announcement);
  if (
    announcementSeconds !== undefined &&
    !(announcement!.trim() !== '' && announcementSeconds >= 0 && announcementSeconds <= 120)
  ) {
    process.stderr.write(
      `holdgate classify: --announcement-seconds must be a number of seconds from 0 to 120, not "${announcement}"\n${USAGE}`,
    );
    return 2;
  }
  const detectors =
    values['no-classifier'] === true
      ? []
      : [
          new MusicClassifierDetector(
            announcementSeconds !== undefined
              ? announcementHoldOn(announcementSeconds).classifier
              : {},
          ),
        ];
  try {
    for await (const line of classifyFile(file, {
      detectors,
      ...(values.known !== undefined ? { known: values.known } : {}),
      ...(announcementSeconds !== undefined ? { announcementSeconds } : {}),
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
