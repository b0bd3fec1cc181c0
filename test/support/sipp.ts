/**
 * Typed wrapper around SIPp 3.6 (`/usr/bin/sipp`) for real-peer tests and benchmarks.
 *
 * Every SIPp runs as a foreground child (`-nostdin`, never `-bg`) in its own temp directory, with
 * `-timeout` always set so it stops by itself; on top of that a hard deadline (`timeoutSec` + a
 * grace period) sends SIGTERM then SIGKILL. Every child is tracked: call `killAllSipp()` in
 * `afterAll`/`afterEach`, and bench code calls it on exit.
 *
 * Ports: a SIPp instance binds `localPort` (SIP) and, for its media sockets, `mediaPort` and
 * `mediaPort + 2` on `mediaIp`. When `mediaPort` is omitted it defaults to `localPort + 2`, so a
 * SIPp uses `localPort`, `localPort + 2` and `localPort + 4`: space instances at least 6 apart.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseSippRttCsv, parseSippStatCsv, type RttSample, type SippStats } from './sipp-stats.js';
import { waitForBoundSocket } from './wait-for-bound-socket.js';
import { withTimeout } from './with-timeout.js';

/** Path of the SIPp binary (Debian package `sipp`, 3.6.1). */
export const SIPP_BIN = '/usr/bin/sipp';

/** SIPp `-t` transport modes: UDP/TCP with one socket (`u1`, `t1`) or one per call (`un`, `tn`). */
export type SippTransport = 'u1' | 'un' | 't1' | 'tn';

/** Options for one SIPp run. Absent options leave SIPp's default. */
export interface SippOptions {
  /** Path of the XML scenario (`-sf`). */
  scenario: string;
  /** `host:port` to send to; omit for a UAS that only answers. */
  remote?: string;
  /** `-i`: local IP for Via/Contact/From and bind (`-bind_local` is also set). */
  localIp: string;
  /** `-p`: local SIP port (must be > 0: SIPp treats 0 as 5060). */
  localPort: number;
  /** `-t`, default `u1`. */
  transport?: SippTransport;
  /** `-m`: stop after this many calls. */
  calls?: number;
  /** `-r`: call rate in calls per second (UAC). */
  rate?: number;
  /** `-rate_max`. */
  rateMax?: number;
  /** `-l`: maximum simultaneous calls. */
  concurrency?: number;
  /** `-lost`: percentage of packets SIPp drops on purpose (sent and received). */
  lost?: number;
  /** `-timeout` in seconds: always set, every run stops by itself. */
  timeoutSec: number;
  /** Extra seconds after `timeoutSec` before SIGTERM/SIGKILL (default 5). */
  killGraceSec?: number;
  /** `-set name value` for each entry (referenced as `[$name]` in the scenario). */
  vars?: Record<string, string>;
  /** `-inf`: CSV injection file. */
  injectionFile?: string;
  /** `-s`: the Request-URI user (`[service]`). */
  service?: string;
  /** `-mi`, default `localIp`. */
  mediaIp?: string;
  /** `-mp`, default `localPort + 2` (SIPp binds it and `mediaPort + 2`). */
  mediaPort?: number;
  /** `-trace_msg`: log every message to `<outDir>/messages.log`. */
  traceMsg?: boolean;
  /** `-trace_err`: log unexpected messages to `<outDir>/errors.log` (default true). */
  traceErr?: boolean;
  /** `-trace_rtt -rtt_freq 1`: record every response time (`rtd`) (default true). */
  traceRtt?: boolean;
  /** Extra raw arguments appended last. */
  extraArgs?: string[];
  /** Directory for SIPp's output files; default a fresh `mkdtemp`. */
  outDir?: string;
  /** Called with SIPp's pid once it is spawned (e.g. to stall it with SIGSTOP). */
  onSpawn?: (pid: number) => void;
}

/** What a finished SIPp run left behind. */
export interface SippResult {
  /** SIPp's exit code (0 all calls succeeded, 1 some failed, 97/99 other normal ends), or null if killed. */
  exitCode: number | null;
  /** The signal that ended it, if any. */
  signal: NodeJS.Signals | null;
  /** Whether the harness had to kill SIPp (hard deadline or `stop()`). */
  killed: boolean;
  /** Final cumulative statistics from `-trace_stat`, null if SIPp wrote none. */
  stats: SippStats | null;
  /** Response times from `-trace_rtt` (empty unless the scenario uses `start_rtd`/`rtd`). */
  rtt: RttSample[];
  /** The final screens (`-trace_screen`) as text, '' if none. */
  screen: string;
  stdout: string;
  stderr: string;
  outDir: string;
  /** Path of the `-trace_msg` log, when enabled. */
  messageLog: string | null;
  /** Path of the `-trace_err` log, when enabled (the file exists only if errors occurred). */
  errorLog: string | null;
  /** The full argument vector, for failure messages. */
  args: string[];
  durationMs: number;
}

/** A SIPp started in the background (typically a UAS). */
export interface SippServer {
  pid: number;
  /** Resolves when SIPp has bound its SIP port (read from the kernel's socket table). */
  ready: Promise<void>;
  /** Resolves when SIPp has exited, by itself or by `stop()`. Never rejects. */
  done: Promise<SippResult>;
  /** SIGTERM (SIPp dumps its stats and exits), SIGKILL after 2 s; resolves with the result. */
  stop(): Promise<SippResult>;
}

const MAX_CAPTURE = 1 << 20;
const children = new Set<ChildProcess>();

/** Builds SIPp's argument vector for `opts`, with output files placed in `outDir`. */
export function buildSippArgs(opts: SippOptions, outDir: string): string[] {
  const a: string[] = [];
  if (opts.remote !== undefined) a.push(opts.remote);
  a.push('-sf', resolve(opts.scenario));
  a.push('-i', opts.localIp, '-p', String(opts.localPort), '-bind_local');
  a.push('-t', opts.transport ?? 'u1');
  a.push('-mi', opts.mediaIp ?? opts.localIp, '-mp', String(opts.mediaPort ?? opts.localPort + 2));
  a.push('-nostdin', '-timeout', `${opts.timeoutSec}s`);
  if (opts.calls !== undefined) a.push('-m', String(opts.calls));
  if (opts.rate !== undefined) a.push('-r', String(opts.rate));
  if (opts.rateMax !== undefined) a.push('-rate_max', String(opts.rateMax));
  if (opts.concurrency !== undefined) a.push('-l', String(opts.concurrency));
  if (opts.lost !== undefined) a.push('-lost', String(opts.lost));
  if (opts.service !== undefined) a.push('-s', opts.service);
  if (opts.injectionFile !== undefined) a.push('-inf', resolve(opts.injectionFile));
  for (const [k, v] of Object.entries(opts.vars ?? {})) a.push('-set', k, v);
  a.push('-trace_stat', '-stf', join(outDir, 'stats.csv'), '-fd', '1');
  a.push('-trace_screen', '-screen_file', join(outDir, 'screen.log'));
  if (opts.traceRtt ?? true) a.push('-trace_rtt', '-rtt_freq', '1');
  if (opts.traceMsg === true) a.push('-trace_msg', '-message_file', join(outDir, 'messages.log'));
  if (opts.traceErr ?? true) a.push('-trace_err', '-error_file', join(outDir, 'errors.log'));
  a.push(...(opts.extraArgs ?? []));
  return a;
}

/** The committed SIPp scenarios. */
export const SIPP_FIXTURES = join(import.meta.dirname, '..', '..', 'test-fixtures', 'sipp');

/**
 * A copy in `dir` of the fixture `scenario` that streams `wav` (a G.711 µ-law WAV: what SIPp's
 * rtp_stream plays as PT 0) where it says `@AUDIO@`, with any further text `replace`ments. SIPp
 * does not expand variables in rtp_stream, so the path is written into the copy.
 */
export function streamingScenario(
  dir: string,
  scenario: string,
  wav: string,
  replace: Readonly<Record<string, string>> = {},
): string {
  let text = readFileSync(join(SIPP_FIXTURES, scenario), 'utf8').replaceAll('@AUDIO@', wav);
  for (const [from, to] of Object.entries(replace)) text = text.replaceAll(from, to);
  const out = join(dir, scenario);
  writeFileSync(out, text);
  return out;
}

/** An Asterisk prompt converted to the µ-law WAV rtp_stream plays, in `dir`. */
export function promptWav(dir: string, prompt: string): string {
  const wav = join(dir, `${prompt}.wav`);
  const source = `/usr/share/asterisk/sounds/en_US_f_Allison/${prompt}.wav`;
  execFileSync('sox', [source, '-r', '8000', '-c', '1', '-e', 'u-law', wav]);
  return wav;
}

/** Runs SIPp to completion (its `-timeout`, or the hard deadline) and collects its results. */
export async function runSipp(opts: SippOptions): Promise<SippResult> {
  return startSipp(opts).done;
}

/**
 * Starts SIPp in the background (for a UAS, or a UAC whose end the caller awaits via `done`).
 * Await `ready` before pointing traffic at it.
 */
export function startSippServer(opts: SippOptions): SippServer {
  return startSipp(opts);
}

/**
 * One call between two SIPps: the PBX (`pbx`, a UAS) is started and awaited, then the caller
 * (`caller`, a UAC) runs; each must complete its one call, or this throws with SIPp's account.
 */
export async function sippCall(
  pbx: SippOptions,
  caller: SippOptions,
): Promise<{ caller: SippResult; pbx: SippResult }> {
  const server = startSipp({ calls: 1, ...pbx });
  await withTimeout(server.ready, 10_000, 'pbx ready');
  const callerResult = await runSipp({ calls: 1, ...caller });
  const pbxResult = await withTimeout(server.done, 20_000, 'pbx done');
  for (const [role, r] of [
    ['caller', callerResult],
    ['pbx', pbxResult],
  ] as const) {
    if (r.stats?.successfulCalls !== 1) {
      throw new Error(`SIPp ${role} did not complete its call: ${describeSippResult(r)}`);
    }
  }
  return { caller: callerResult, pbx: pbxResult };
}

/** Kills every SIPp this module started that is still running (SIGKILL), and waits for them. */
export async function killAllSipp(): Promise<void> {
  const waits = [...children].map(
    (child) =>
      new Promise<void>((resolveExit) => {
        if (child.exitCode !== null || child.signalCode !== null) {
          resolveExit();
          return;
        }
        child.once('exit', () => {
          resolveExit();
        });
        child.kill('SIGKILL');
      }),
  );
  await Promise.all(waits);
  children.clear();
}

/** Number of SIPp children still tracked (running). */
export function runningSippCount(): number {
  return children.size;
}

function startSipp(opts: SippOptions): SippServer {
  const started = Date.now();
  let outDir = opts.outDir;
  let child: ChildProcess | undefined;
  let killed = false;
  let exited = false;
  let args: string[] = [];
  let stdout = '';
  let stderr = '';
  let resolveExit: (v: { code: number | null; signal: NodeJS.Signals | null }) => void = () => {};
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => {
    resolveExit = r;
  });
  let resolveSpawned: (pid: number) => void = () => {};
  let rejectSpawned: (e: Error) => void = () => {};
  const spawned = new Promise<number>((res, rej) => {
    resolveSpawned = res;
    rejectSpawned = rej;
  });

  const launch = async (): Promise<void> => {
    outDir ??= await mkdtemp(join(tmpdir(), 'holdgate-sipp-'));
    args = buildSippArgs(opts, outDir);
    await writeFile(join(outDir, 'command.txt'), `${SIPP_BIN} ${args.join(' ')}\n`);
    const c = spawn(SIPP_BIN, args, { cwd: outDir, stdio: ['ignore', 'pipe', 'pipe'] });
    child = c;
    children.add(c);
    if (c.pid !== undefined) opts.onSpawn?.(c.pid);
    c.stdout.setEncoding('utf8').on('data', (d: string) => {
      if (stdout.length < MAX_CAPTURE) stdout += d;
    });
    c.stderr.setEncoding('utf8').on('data', (d: string) => {
      if (stderr.length < MAX_CAPTURE) stderr += d;
    });
    const hard = setTimeout(
      () => {
        killed = true;
        c.kill('SIGTERM');
        setTimeout(() => c.kill('SIGKILL'), 2000).unref();
      },
      (opts.timeoutSec + (opts.killGraceSec ?? 5)) * 1000,
    );
    hard.unref();
    c.once('error', (err) => {
      clearTimeout(hard);
      children.delete(c);
      exited = true;
      stderr += `\nspawn error: ${err.message}`;
      rejectSpawned(err);
      resolveExit({ code: null, signal: null });
    });
    c.once('exit', (code, signal) => {
      clearTimeout(hard);
      children.delete(c);
      exited = true;
      resolveExit({ code, signal });
    });
    if (c.pid !== undefined) resolveSpawned(c.pid);
  };

  const launched = launch();
  launched.catch((err: unknown) => {
    rejectSpawned(err instanceof Error ? err : new Error(String(err)));
    resolveExit({ code: null, signal: null });
  });

  const done = exit.then(async ({ code, signal }) => {
    await launched.catch(() => undefined);
    return collect({
      exitCode: code,
      signal,
      killed,
      stdout,
      stderr,
      outDir: outDir ?? '',
      args,
      durationMs: Date.now() - started,
      opts,
    });
  });

  const ready = spawned.then((pid) =>
    waitForBoundSocket({
      pid,
      ip: opts.localIp,
      port: opts.localPort,
      kind: (opts.transport ?? 'u1').startsWith('t') ? 'tcp' : 'udp',
      timeoutMs: 10_000,
      isAlive: () => !exited,
    }),
  );
  // `ready` may be left unawaited by callers that only want `done`
  ready.catch(() => undefined);

  const server: SippServer = {
    get pid() {
      return child?.pid ?? -1;
    },
    ready,
    done,
    async stop() {
      await launched.catch(() => undefined);
      const c = child;
      if (c !== undefined && !exited) {
        killed = true;
        c.kill('SIGTERM');
        const force = setTimeout(() => c.kill('SIGKILL'), 2000);
        await exit;
        clearTimeout(force);
      }
      return done;
    },
  };
  return server;
}

async function collect(r: {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  killed: boolean;
  stdout: string;
  stderr: string;
  outDir: string;
  args: string[];
  durationMs: number;
  opts: SippOptions;
}): Promise<SippResult> {
  const read = async (p: string): Promise<string> => readFile(p, 'utf8').catch(() => '');
  const statsText = r.outDir === '' ? '' : await read(join(r.outDir, 'stats.csv'));
  let rtt: RttSample[] = [];
  if (r.outDir !== '' && (r.opts.traceRtt ?? true)) {
    // SIPp names it after the scenario file: <scenario>_<pid>_rtt.csv in its cwd
    const stem = basename(r.opts.scenario).replace(/\.xml$/, '');
    const files = await readdir(r.outDir).catch(() => [] as string[]);
    for (const f of files) {
      if (f.startsWith(`${stem}_`) && f.endsWith('_rtt.csv')) {
        rtt = rtt.concat(parseSippRttCsv(await read(join(r.outDir, f))));
      }
    }
  }
  return {
    exitCode: r.exitCode,
    signal: r.signal,
    killed: r.killed,
    stats: parseSippStatCsv(statsText),
    rtt,
    screen: r.outDir === '' ? '' : await read(join(r.outDir, 'screen.log')),
    stdout: r.stdout,
    stderr: r.stderr,
    outDir: r.outDir,
    messageLog: r.opts.traceMsg === true ? join(r.outDir, 'messages.log') : null,
    errorLog: (r.opts.traceErr ?? true) ? join(r.outDir, 'errors.log') : null,
    args: r.args,
    durationMs: r.durationMs,
  };
}

/** A short human summary of a result, for assertion messages. */
export function describeSippResult(r: SippResult): string {
  const s = r.stats;
  const counts =
    s === null
      ? 'no stats'
      : `ok=${s.successfulCalls} failed=${s.failedCalls} current=${s.currentCalls} retrans=${s.retransmissions} ${JSON.stringify(s.failureCounters)}`;
  return `sipp exit=${r.exitCode} signal=${r.signal} killed=${r.killed} ${counts} outDir=${r.outDir} stderr=${r.stderr.slice(-400)}`;
}
