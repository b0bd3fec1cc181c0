/**
 * `npm run bench -- relay`: RTP relay capacity of holdgate against Debian's rtpengine
 * (userspace forwarding), with the identical load from a separate load-generator process
 * (`bench/support/relay-load.ts`). Ramps the number of concurrent calls (two directions of
 * 20 ms G.711 each, 100 packets/s per call) and reports per step loss, added latency, CPU per 1,000
 * packets/s and RSS per call; then the most calls sustained with < 0.01 % loss and the ratio.
 *
 * Options: --steps 250,500,… --step-ms 8000 --workers N --no-rtpengine --no-taps
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { MediaController } from '../src/media/relay/media-controller.js';
import type { TapReader } from '../src/media/relay/tap-ring.js';
import { NgClient, asText, audioSdp, sdpMedia } from './support/relay-ng-client.js';

const RELAY_ADDRESS = '127.0.0.40';
const RTPENGINE_ADDRESS = '127.0.0.50';
const CALLER = '127.0.0.41';
const PBX = '127.0.0.42';
const LOSS_TARGET_PCT = 0.01;
const CLK_TCK = 100;

interface Options {
  steps: number[];
  stepMs: number;
  workers: number | undefined;
  rtpengine: boolean;
  taps: boolean;
}

interface StepResult {
  calls: number;
  sent: number;
  received: number;
  lossPct: number;
  latencyMs: { p50: number; p99: number; p999: number; max: number };
  loaderCpuPct: number;
  wallMs: number;
  packetsPerSecond?: number;
  /** Packets the relay itself forwarded (holdgate only): tells relay loss from loader loss. */
  relayForwarded?: number;
  relayCpuPct?: number;
  cpuPctPer1kPps?: number;
  rssPerCallKiB?: number;
  tapFramesRead?: number;
  tapFramesDropped?: number;
}

interface Target {
  readonly name: string;
  /** Sets up the relay for calls whose loader ports are given; returns the loader targets. */
  addCalls(ports: number[][]): Promise<[string, number, number][]>;
  cpuSeconds(): number;
  rssBytes(): number;
  extra?(): Record<string, number>;
  forwarded?(): Promise<number>;
  close(): Promise<void>;
}

function parse(args: string[]): Options {
  const get = (name: string): string | undefined => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const workers = get('--workers');
  return {
    steps: (get('--steps') ?? '250,500,750,1000,1250,1500').split(',').map(Number),
    stepMs: Number(get('--step-ms') ?? 8000),
    workers: workers === undefined ? undefined : Number(workers),
    rtpengine: !args.includes('--no-rtpengine'),
    taps: !args.includes('--no-taps'),
  };
}

/** Talks to the load generator: one reply per command, in order. */
class Loader {
  private readonly child: ChildProcess;
  private waiting: ((m: unknown) => void)[] = [];

  constructor() {
    this.child = fork(new URL('./support/relay-load.ts', import.meta.url), [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child.on('message', (m) => this.waiting.shift()?.(m));
  }

  ready(): Promise<unknown> {
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  ask<T>(cmd: unknown): Promise<T> {
    return new Promise((resolve) => {
      this.waiting.push((m) => {
        resolve(m as T);
      });
      this.child.send(cmd as object);
    });
  }

  exit(): void {
    this.child.send({ op: 'exit' });
  }
}

function procStat(pid: number): { cpu: number; rss: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpu = (Number(fields[11]) + Number(fields[12])) / CLK_TCK; // utime + stime
  const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  return { cpu, rss: rssKiB * 1024 };
}

async function holdgateTarget(opts: Options): Promise<Target> {
  const media = await MediaController.start({
    portMin: 30000,
    portMax: 39999,
    ...(opts.workers !== undefined ? { workers: opts.workers } : {}),
    mediaTimeoutMs: 600_000,
    recvBufferSize: 1 << 20,
  });
  const readers: TapReader[] = [];
  const frame = new Int16Array(160);
  let framesRead = 0;
  // The tap consumer: drains every ring every 20 ms, as a recorder/detector would.
  const drain = setInterval(() => {
    for (const r of readers) while (r.read(frame) !== null) framesRead++;
  }, 20);
  const sessions: string[] = [];
  return {
    name: 'holdgate',
    async addCalls(ports) {
      const targets = new Array<[string, number, number]>(ports.length);
      const batch = 50;
      for (let i = 0; i < ports.length; i += batch) {
        await Promise.all(
          ports.slice(i, i + batch).map(async ([callerPort, pbxPort], j) => {
            const s = await media.createSession({
              callId: `bench-${sessions.length}`,
              legs: {
                caller: { localAddress: RELAY_ADDRESS },
                pbx: { localAddress: RELAY_ADDRESS },
              },
            });
            sessions.push(s.sessionId);
            await media.setRemote(s.sessionId, 'caller', { address: CALLER, rtpPort: callerPort! });
            await media.setRemote(s.sessionId, 'pbx', { address: PBX, rtpPort: pbxPort! });
            if (opts.taps) {
              readers.push(await media.openTap(s.sessionId, 'caller-to-pbx'));
              readers.push(await media.openTap(s.sessionId, 'pbx-to-caller'));
            }
            targets[i + j] = [RELAY_ADDRESS, s.caller.rtpPort, s.pbx.rtpPort];
          }),
        );
      }
      return targets;
    },
    cpuSeconds() {
      const u = process.cpuUsage(); // RUSAGE_SELF: all threads, workers included
      return (u.user + u.system) / 1e6;
    },
    rssBytes() {
      return process.memoryUsage().rss;
    },
    async forwarded() {
      let n = 0;
      for (const id of sessions) {
        const st = await media.stats(id);
        n += st['caller-to-pbx'].packets + st['pbx-to-caller'].packets;
      }
      return n;
    },
    extra() {
      let dropped = 0;
      for (const r of readers) dropped += r.dropped;
      return { tapFramesRead: framesRead, tapFramesDropped: dropped };
    },
    async close() {
      clearInterval(drain);
      await media.close();
    },
  };
}

async function rtpengineTarget(): Promise<Target> {
  const proc = spawn(
    '/usr/bin/rtpengine',
    [
      '--foreground',
      '--log-stderr',
      '--log-level=4',
      `--interface=${RTPENGINE_ADDRESS}`,
      `--listen-ng=${RTPENGINE_ADDRESS}:22222`,
      '--port-min=40000',
      '--port-max=49999',
      '--table=-1', // no kernel forwarding: userspace only
      '--timeout=600',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-2000);
  });
  const started = await new Promise<boolean>((resolve) => {
    const t = setTimeout(() => {
      resolve(proc.exitCode === null);
    }, 1500);
    proc.once('exit', () => {
      clearTimeout(t);
      resolve(false);
    });
  });
  if (!started || proc.pid === undefined) throw new Error(`rtpengine did not start: ${stderr}`);
  const pid = proc.pid;
  const ng = new NgClient(RTPENGINE_ADDRESS, 22222);
  await ng.command({ command: 'ping' }).catch(() => undefined);
  let n = 0;
  const callIds: string[] = [];
  return {
    name: 'rtpengine',
    async addCalls(ports) {
      const targets: [string, number, number][] = [];
      for (const [callerPort, pbxPort] of ports) {
        const callId = `bench-${n++}`;
        callIds.push(callId);
        const offer = await ng.command({
          command: 'offer',
          'call-id': callId,
          'from-tag': 'caller',
          sdp: audioSdp(CALLER, callerPort!),
          replace: ['origin', 'session-connection'],
          ICE: 'remove',
        });
        const towardPbx = sdpMedia(asText(offer['sdp']));
        const answer = await ng.command({
          command: 'answer',
          'call-id': callId,
          'from-tag': 'caller',
          'to-tag': 'pbx',
          sdp: audioSdp(PBX, pbxPort!),
          replace: ['origin', 'session-connection'],
          ICE: 'remove',
        });
        const towardCaller = sdpMedia(asText(answer['sdp']));
        targets.push([towardCaller.address, towardCaller.port, towardPbx.port]);
      }
      return targets;
    },
    cpuSeconds: () => procStat(pid).cpu,
    rssBytes: () => procStat(pid).rss,
    async close() {
      for (const id of callIds) {
        await ng.command({ command: 'delete', 'call-id': id }).catch(() => undefined);
      }
      ng.close();
      proc.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 300));
    },
  };
}

async function ramp(target: Target, loader: Loader, opts: Options): Promise<unknown> {
  const steps: StepResult[] = [];
  const targets: [string, number, number][] = [];
  const rss0 = target.rssBytes();
  for (const calls of opts.steps) {
    const add = calls - targets.length;
    if (add > 0) {
      const { ports } = await loader.ask<{ ports: number[][] }>({ op: 'bind', count: add });
      targets.push(...(await target.addCalls(ports)));
      await loader.ask({ op: 'targets', targets });
    }
    await new Promise((r) => setTimeout(r, 200));
    const fwd0 = await target.forwarded?.();
    const cpu0 = target.cpuSeconds();
    const extra0 = target.extra?.();
    const t0 = performance.now();
    const step = await loader.ask<StepResult>({ op: 'run', ms: opts.stepMs });
    const wall = (performance.now() - t0) / 1000;
    const cpuPct = ((target.cpuSeconds() - cpu0) / wall) * 100;
    const fwd1 = await target.forwarded?.();
    if (fwd0 !== undefined && fwd1 !== undefined) step.relayForwarded = fwd1 - fwd0;
    const pps = step.received / (step.wallMs / 1000);
    step.wallMs = Math.round(step.wallMs);
    step.packetsPerSecond = Math.round(pps);
    step.relayCpuPct = round(cpuPct);
    step.cpuPctPer1kPps = round(cpuPct / (pps / 1000));
    step.rssPerCallKiB = round((target.rssBytes() - rss0) / 1024 / calls);
    const extra1 = target.extra?.();
    if (extra0 && extra1) {
      step.tapFramesRead = extra1['tapFramesRead']! - extra0['tapFramesRead']!;
      step.tapFramesDropped = extra1['tapFramesDropped']! - extra0['tapFramesDropped']!;
    }
    step.lossPct = round(step.lossPct, 5);
    step.latencyMs = {
      p50: round(step.latencyMs.p50, 3),
      p99: round(step.latencyMs.p99, 3),
      p999: round(step.latencyMs.p999, 3),
      max: round(step.latencyMs.max, 3),
    };
    step.loaderCpuPct = round(step.loaderCpuPct);
    steps.push(step);
    process.stderr.write(`[relay bench] ${target.name} ${JSON.stringify(step)}\n`);
    if (step.lossPct > 1) break; // far beyond capacity: stop the ramp
  }
  // Sustained: < 0.01 % loss AND the load actually offered at the nominal rate (a step where the
  // loader was starved of CPU and sent less than 99 % of 100 packets/s per call does not count).
  const ok = steps.filter(
    (s) => s.lossPct < LOSS_TARGET_PCT && s.sent >= 0.99 * s.calls * 100 * (opts.stepMs / 1000),
  );
  return {
    steps,
    maxCallsSustained: ok.length ? Math.max(...ok.map((s) => s.calls)) : 0,
  };
}

function round(v: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

export default async function run(args: string[]): Promise<unknown> {
  const opts = parse(args);
  const loader = new Loader();
  await loader.ready();
  const started = Date.now();
  const result: Record<string, unknown> = {
    benchmark: 'relay',
    load: 'two directions of 20 ms G.711 (160-byte payload) per call, 100 packets/s per call',
    stepMs: opts.stepMs,
    taps: opts.taps,
    lossTargetPct: LOSS_TARGET_PCT,
    cores: (await import('node:os')).availableParallelism(),
  };
  try {
    const hg = await holdgateTarget(opts);
    try {
      result['holdgate'] = await ramp(hg, loader, opts);
    } finally {
      await hg.close();
      await loader.ask({ op: 'reset' });
    }
    if (opts.rtpengine) {
      try {
        const re = await rtpengineTarget();
        try {
          result['rtpengine'] = await ramp(re, loader, opts);
        } finally {
          await re.close();
          await loader.ask({ op: 'reset' });
        }
      } catch (err) {
        result['rtpengine'] = { error: err instanceof Error ? err.message : String(err) };
      }
    }
  } finally {
    loader.exit();
  }
  const hgMax = (result['holdgate'] as { maxCallsSustained?: number } | undefined)
    ?.maxCallsSustained;
  const reMax = (result['rtpengine'] as { maxCallsSustained?: number } | undefined)
    ?.maxCallsSustained;
  if (hgMax !== undefined && reMax) result['capacityRatio'] = round(hgMax / reMax, 3);
  const at500 = (result['holdgate'] as { steps?: StepResult[] } | undefined)?.steps?.find(
    (s) => s.calls === 500,
  );
  result['targets'] = {
    callsWithTaps: { target: 1000, measured: hgMax ?? null, met: (hgMax ?? 0) >= 1000 },
    p99LatencyAt500Ms: {
      target: 1,
      measured: at500?.latencyMs.p99 ?? null,
      met: at500 !== undefined && at500.latencyMs.p99 <= 1,
    },
    capacityVsRtpengine: {
      target: 0.8,
      measured: result['capacityRatio'] ?? null,
      met: typeof result['capacityRatio'] === 'number' && result['capacityRatio'] >= 0.8,
    },
  };
  result['durationS'] = round((Date.now() - started) / 1000, 1);
  return result;
}
