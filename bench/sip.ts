/**
 * `npm run bench -- sip [--rates 100,200,300,400,500] [--seconds 3] [--media off] [--pin off]`
 *
 * Signalling benchmark of issue #2: calls per second sustained with 0 failed calls, CPU seconds,
 * peak RSS and the INVITE->200 setup latency holdgate adds, measured
 *  (a) BASELINE: SIPp UAC -> SIPp UAS directly, and
 *  (b) THROUGH:  SIPp UAC -> holdgate (`node bin/holdgate.js start --config <tmp yaml>`) -> SIPp UAS.
 * The rate is stepped up; each step places `rate * seconds` short calls
 * (test-fixtures/sipp/uac-load-short-call.xml) bounded in time, and the series stops at the first
 * step with a failed or unfinished call. Setup latency is SIPp's response time 1 (`start_rtd` on the
 * INVITE, `rtd` on the 200; whole milliseconds) at the 100 cps step. Loopback addresses
 * 127.0.0.20-29, ports 17000-17999. Every child process is killed before returning.
 */
import { spawn, spawnSync, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { killAllSipp, runSipp, startSippServer, type SippResult } from '../test/support/sipp.js';
import { percentile } from '../test/support/sipp-stats.js';
import { measureHopLatency, type HopLatency } from './support/sip-hop-latency.js';
import { waitForBoundSocket } from '../test/support/wait-for-bound-socket.js';

/**
 * The holdgate config used for the THROUGH run: listen on `listenIp:listenPort` (UDP), accept
 * trunks from loopback, route every Request-URI user to the SIPp PBX. Media anchoring is on unless
 * `--media off` is given.
 */
export function holdgateBenchConfig(o: {
  listenIp: string;
  listenPort: number;
  pbxHost: string;
  pbxPort: number;
  /** Anchor RTP (the product default); `false` measures signalling alone. */
  media?: boolean;
}): string {
  return [
    `media: { enabled: ${o.media === false ? 'false' : 'true'}, address: ${o.listenIp} }`,
    // Signalling is measured here; what recording costs is `npm run bench -- recorder`.
    'recording: { enabled: false }',
    'sip:',
    '  listen:',
    `    - { protocol: udp, address: ${o.listenIp}, port: ${o.listenPort} }`,
    'acl:',
    '  trunks: ["127.0.0.0/8"]',
    'queues:',
    '  - name: bench',
    '    match: { requestUser: ".*" }',
    `    pbx: { host: ${o.pbxHost}, port: ${o.pbxPort}, transport: udp }`,
    'log: { level: warn }',
    '',
  ].join('\n');
}

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const UAC_XML = join(ROOT, 'test-fixtures', 'sipp', 'uac-load-short-call.xml');
const UAS_XML = join(ROOT, 'test-fixtures', 'sipp', 'uas-load-short-call.xml');
const CALLER = { ip: '127.0.0.21', port: 17400 };
const PBX_DIRECT = { ip: '127.0.0.20', port: 17410 };
const PBX_BEHIND = { ip: '127.0.0.23', port: 17420 };
const HOLDGATE = { ip: '127.0.0.22', port: 17430 };

/** One rate step. */
export interface StepResult {
  rateCps: number;
  calls: number;
  successful: number;
  failed: number;
  unfinished: number;
  retransmissions: number;
  /** Calls per second SIPp actually achieved (cumulative). */
  achievedCps: number;
  setupP50Ms: number | null;
  setupP99Ms: number | null;
  wallSeconds: number;
}

/** Result of one series (baseline or through). */
export interface SeriesResult {
  steps: StepResult[];
  /** Highest step rate completed with 0 failed calls (0 if none). */
  maxSustainedCps: number;
  /** Setup latency at the 100 cps step (null if that step did not run). */
  setupAt100: { p50Ms: number | null; p99Ms: number | null };
}

/** THROUGH adds holdgate's resource use. */
export interface ThroughResult extends SeriesResult {
  /** holdgate's own forwarding time from a packet capture of one more 100 cps step. */
  hopLatencyAt100: HopLatency | { error: string };
  holdgateCpuSeconds: number;
  holdgatePeakRssMiB: number | null;
}

function parseArgs(args: string[]): {
  rates: number[];
  seconds: number;
  media: boolean;
  pin: boolean;
} {
  let rates = [100, 200, 300, 400, 500];
  let seconds = 3;
  let media = true;
  let pin = true;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const v = args[i + 1];
    if (a === '--rates' && v !== undefined) {
      rates = v
        .split(',')
        .map(Number)
        .filter((n) => Number.isFinite(n) && n > 0)
        .slice(0, 10);
      i++;
    } else if (a === '--seconds' && v !== undefined) {
      seconds = Math.min(Math.max(Number(v) || 3, 1), 20);
      i++;
    } else if (a === '--media' && v !== undefined) {
      media = v !== 'off';
      i++;
    } else if (a === '--pin' && v !== undefined) {
      pin = v !== 'off';
      i++;
    }
  }
  if (!rates.includes(100)) rates = [100, ...rates];
  return { rates: [...new Set(rates)].sort((x, y) => x - y), seconds, media, pin };
}

async function runStep(rate: number, seconds: number, target: string): Promise<StepResult> {
  const calls = rate * seconds;
  const r: SippResult = await runSipp({
    scenario: UAC_XML,
    remote: target,
    localIp: CALLER.ip,
    localPort: CALLER.port,
    calls,
    rate,
    concurrency: rate * 10,
    timeoutSec: seconds + 15,
    killGraceSec: 3,
    service: '1000',
    traceErr: false,
  });
  const rtt = r.rtt.filter((s) => s.rtd === 1).map((s) => s.rttMs);
  const successful = r.stats?.successfulCalls ?? 0;
  const failed = r.stats?.failedCalls ?? 0;
  return {
    rateCps: rate,
    calls,
    successful,
    failed,
    unfinished: calls - successful - failed,
    retransmissions: r.stats?.retransmissions ?? 0,
    achievedCps: r.stats?.callRateCps ?? 0,
    setupP50Ms: percentile(rtt, 50),
    setupP99Ms: percentile(rtt, 99),
    wallSeconds: r.durationMs / 1000,
  };
}

async function runSeries(rates: number[], seconds: number, target: string): Promise<SeriesResult> {
  const steps: StepResult[] = [];
  let maxSustainedCps = 0;
  for (const rate of rates) {
    const step = await runStep(rate, seconds, target);
    steps.push(step);
    if (step.failed > 0 || step.unfinished > 0) break;
    maxSustainedCps = rate;
  }
  const at100 = steps.find((s) => s.rateCps === 100);
  return {
    steps,
    maxSustainedCps,
    setupAt100: { p50Ms: at100?.setupP50Ms ?? null, p99Ms: at100?.setupP99Ms ?? null },
  };
}

async function withPbx<T>(addr: { ip: string; port: number }, fn: () => Promise<T>): Promise<T> {
  const pbx = startSippServer({
    scenario: UAS_XML,
    localIp: addr.ip,
    localPort: addr.port,
    timeoutSec: 600,
    traceErr: false,
    traceRtt: false,
  });
  try {
    await pbx.ready;
    return await fn();
  } finally {
    await pbx.stop();
  }
}

function clockTicksPerSecond(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}

/** utime + stime of `pid` in seconds (fields 14 and 15 of /proc/<pid>/stat). */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); utime is field 14, stime field 15
  return (Number(fields[11]) + Number(fields[12])) / clockTicksPerSecond();
}

/** VmHWM (peak resident set) of `pid` in MiB. */
async function peakRssMiB(pid: number): Promise<number | null> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
  return m?.[1] === undefined ? null : Math.round((Number(m[1]) / 1024) * 10) / 10;
}

async function startHoldgate(
  media: boolean,
  pinToOneCore: boolean,
): Promise<{ child: ChildProcess; log: () => string }> {
  const dir = await mkdtemp(join(tmpdir(), 'holdgate-bench-'));
  const config = join(dir, 'holdgate.yaml');
  await writeFile(
    config,
    holdgateBenchConfig({
      listenIp: HOLDGATE.ip,
      listenPort: HOLDGATE.port,
      pbxHost: PBX_BEHIND.ip,
      pbxPort: PBX_BEHIND.port,
      media,
    }),
  );
  // "On one core": holdgate (with its media worker) is pinned to the last CPU; taskset execs, so
  // the pid is holdgate's own.
  const pin = pinToOneCore && cpus().length > 1 && spawnSync('taskset', ['--version']).status === 0;
  const command = [process.execPath, join(ROOT, 'bin', 'holdgate.js'), 'start', '--config', config];
  const child = spawn(
    pin ? 'taskset' : process.execPath,
    pin ? ['-c', String(cpus().length - 1), ...command] : command.slice(1),
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const keep = (d: Buffer): void => {
    if (output.length < 16_384) output += d.toString('utf8');
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not spawn holdgate');
  try {
    await waitForBoundSocket({
      pid,
      ip: HOLDGATE.ip,
      port: HOLDGATE.port,
      kind: 'udp',
      timeoutMs: 15_000,
      isAlive: () => !exited,
    });
  } catch (err) {
    child.kill('SIGKILL');
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(`holdgate did not start: ${why}; output: ${output.trim().slice(-600)}`, {
      cause: err,
    });
  }
  return { child, log: () => output };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const force = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(force);
}

async function runThrough(
  rates: number[],
  seconds: number,
  media: boolean,
  pin: boolean,
): Promise<ThroughResult | { error: string }> {
  let hg: { child: ChildProcess; log: () => string };
  try {
    hg = await startHoldgate(media, pin);
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
  const killOnExit = (): void => {
    hg.child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  try {
    const pid = hg.child.pid!;
    const cpuBefore = await cpuSeconds(pid);
    const series = await withPbx(PBX_BEHIND, () =>
      runSeries(rates, seconds, `${HOLDGATE.ip}:${HOLDGATE.port}`),
    );
    const cpuAfter = await cpuSeconds(pid).catch(() => cpuBefore);
    const hopLatencyAt100 = await measureHopLatency(HOLDGATE.ip, CALLER.ip, () =>
      withPbx(PBX_BEHIND, () => runStep(100, seconds, `${HOLDGATE.ip}:${HOLDGATE.port}`)),
    );
    return {
      ...series,
      hopLatencyAt100,
      holdgateCpuSeconds: Math.round((cpuAfter - cpuBefore) * 100) / 100,
      holdgatePeakRssMiB: await peakRssMiB(pid),
    };
  } catch (err) {
    return {
      error: `${err instanceof Error ? err.message : String(err)}; output: ${hg.log().slice(-600)}`,
    };
  } finally {
    await stopChild(hg.child);
    process.removeListener('exit', killOnExit);
  }
}

function diff(a: number | null, b: number | null): number | null {
  return a === null || b === null ? null : a - b;
}

/** Runs the baseline and the through series and compares them. */
export default async function run(args: string[]): Promise<unknown> {
  const { rates, seconds, media, pin } = parseArgs(args);
  try {
    const baseline = await withPbx(PBX_DIRECT, () =>
      runSeries(rates, seconds, `${PBX_DIRECT.ip}:${PBX_DIRECT.port}`),
    );
    const through = await runThrough(rates, seconds, media, pin);
    if ('error' in through) {
      return { baseline, through, ratio: null, targets: { cps300: false, p99AddedMsLe5: false } };
    }
    const addedP50 = diff(through.setupAt100.p50Ms, baseline.setupAt100.p50Ms);
    const addedP99 = diff(through.setupAt100.p99Ms, baseline.setupAt100.p99Ms);
    return {
      baseline,
      through: { ...through, addedSetupMs: { p50: addedP50, p99: addedP99 } },
      ratio:
        baseline.maxSustainedCps > 0
          ? Math.round((through.maxSustainedCps / baseline.maxSustainedCps) * 100) / 100
          : null,
      targets: {
        cps300: through.maxSustainedCps >= 300,
        p99AddedMsLe5FromCapture:
          'addedMs' in through.hopLatencyAt100 && through.hopLatencyAt100.addedMs.p99 !== null
            ? through.hopLatencyAt100.addedMs.p99 <= 5
            : null,
        p99AddedMsLe5: addedP99 !== null && addedP99 <= 5,
      },
      method: {
        rates,
        callsPerStep: rates.map((r) => r * seconds),
        latency: 'SIPp response time 1 (INVITE sent -> 200 received), whole ms, at 100 cps',
      },
    };
  } finally {
    await killAllSipp();
  }
}
