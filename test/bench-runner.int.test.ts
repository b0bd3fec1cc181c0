/**
 * The bench runner (`npm run bench -- <name>`) offers exactly the modules that are benches: each
 * name it lists has a default export it can call, and a helper module (a child process's script,
 * a client a bench uses) is refused with the usage message instead of a stack trace.
 */
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('..', import.meta.url).pathname;

function runBench(...args: string[]): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, stderr: r.stderr };
}

function listed(stderr: string): string[] {
  const m = /available: (.*)\n/.exec(stderr);
  if (m?.[1] === undefined) throw new Error(`no list of benches in: ${stderr}`);
  return m[1].split(', ');
}

describe('bench runner', () => {
  it('lists only modules with a callable default export', async () => {
    const r = runBench();
    expect(r.status).toBe(2);
    const names = listed(r.stderr);
    expect(names).toContain('moh');
    for (const name of names) {
      const mod = (await import(pathToFileURL(`${ROOT}bench/${name}.ts`).href)) as {
        default?: unknown;
      };
      expect(typeof mod.default, `bench ${name}`).toBe('function');
    }
  });

  it.each(['relay-load', 'relay-ng-client', 'sip-hop-latency', 'run'])(
    'refuses the non-bench %s with the usage message',
    (name) => {
      const r = runBench(name);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(`unknown bench '${name}'`);
      expect(r.stderr).toContain('usage: npm run bench -- <name>');
    },
  );
});
