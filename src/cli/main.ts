import { isHoldgateError } from '../errors/registry.js';
import { startCommand } from './start-command.js';
import { verifyCommand } from './verify-command.js';
import { classifyCommand } from './classify-command.js';

const USAGE = `usage: holdgate <command> [options]

commands:
  start --config <file>   run the B2BUA with this configuration (YAML)
  verify <recording>      check a recording's audio hash and metadata (exit 0 intact, 1 not)
  classify <file> [--known <dir>] [--announcement-seconds <s>] [--no-classifier]
                          run the hold-music detectors over an audio file, JSON lines out
  help                    show this text
`;

/**
 * The `holdgate` command line. Returns the process exit code; bad input gets a clear message,
 * never a stack trace.
 */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'start':
        return await startCommand(rest);
      case 'verify':
        return await verifyCommand(rest);
      case 'classify':
        return await classifyCommand(rest);
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(USAGE);
        return 0;
      case undefined:
        process.stderr.write(USAGE);
        return 2;
      default:
        process.stderr.write(`holdgate: unknown command '${command}'\n${USAGE}`);
        return 2;
    }
  } catch (err) {
    if (isHoldgateError(err)) {
      process.stderr.write(`holdgate: ${err.message} (${err.code})\n`);
      return 1;
    }
    if (
      err instanceof TypeError &&
      'code' in err &&
      String(err.code).startsWith('ERR_PARSE_ARGS')
    ) {
      process.stderr.write(`holdgate: ${err.message}\n${USAGE}`);
      return 2;
    }
    throw err;
  }
}
