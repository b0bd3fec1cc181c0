/**
 * Benchmark runner: `npm run bench -- <name> [args...]` imports `bench/<name>.ts`, calls its
 * default export `run(args): Promise<unknown>` and prints the result as pretty JSON on stdout.
 * Exit codes: 0 on success, 1 if the bench threw, 2 for an unknown or missing name.
 */
import { readdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The shape every bench module exports. */
export interface BenchModule {
  default: (args: string[]) => Promise<unknown>;
}

const HERE = dirname(fileURLToPath(import.meta.url));

/**
 * Names of the benches present next to this file: every `*.ts` except the runner itself. Modules
 * a bench uses but that are not benches (a load generator run as a child process, a client) live
 * in `bench/support/`, which this listing does not descend into.
 */
export async function availableBenches(): Promise<string[]> {
  const files = await readdir(HERE);
  return files
    .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.endsWith('.test.ts'))
    .map((f) => f.slice(0, -3))
    .sort();
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  const names = await availableBenches();
  if (name === undefined || !names.includes(name)) {
    process.stderr.write(
      `${name === undefined ? 'no bench named' : `unknown bench '${name}'`}; available: ${names.join(', ')}\n` +
        'usage: npm run bench -- <name> [args...]\n',
    );
    return 2;
  }
  const mod = (await import(pathToFileURL(`${HERE}/${name}.ts`).href)) as BenchModule;
  const result = await mod.default(args);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(
      `bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exitCode = 1;
  },
);
