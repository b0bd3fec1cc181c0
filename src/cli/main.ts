/**
 * The `holdgate` command line. `holdgate start --config <file>` runs the B2BUA.
 * Returns the process exit code; never throws for bad input.
 */
export async function main(argv: readonly string[]): Promise<number> {
  const [command] = argv;
  switch (command) {
    case undefined:
    case '--help':
    case 'help':
      process.stdout.write(usage());
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`holdgate: unknown command '${command}'\n${usage()}`);
      return Promise.resolve(2);
  }
}

function usage(): string {
  return 'usage: holdgate start --config <file>\n';
}
