import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** holdgate as a separate process (the real CLI), for signal and crash tests. */
export interface HoldgateProcess {
  readonly child: ChildProcess;
  /** Log lines (JSON) seen so far. */
  readonly lines: string[];
  /** Resolves with the exit code. */
  readonly exited: Promise<number | null>;
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<string>;
  kill(signal?: NodeJS.Signals): void;
}

export function spawnHoldgate(configYaml: string): HoldgateProcess {
  const dir = mkdtempSync(join(tmpdir(), 'hg-proc-'));
  const configPath = join(dir, 'holdgate.yaml');
  writeFileSync(configPath, configYaml);
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'test/peers/run-cli.ts'), 'start', '--config', configPath],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const lines: string[] = [];
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  const onData = (chunk: Buffer): void => {
    for (const line of chunk.toString().split('\n')) {
      if (line === '') continue;
      lines.push(line);
      for (const w of [...waiters]) {
        if (w.pattern.test(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return {
    child,
    lines,
    exited,
    waitForLog(pattern, timeoutMs = 15_000) {
      const seen = lines.find((l) => pattern.test(l));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        waiters.push({ pattern, resolve });
        setTimeout(
          () => reject(new Error(`holdgate never logged ${pattern}; got:\n${lines.join('\n')}`)),
          timeoutMs,
        );
      });
    },
    kill(signal = 'SIGKILL') {
      if (child.exitCode === null) child.kill(signal);
    },
  };
}
