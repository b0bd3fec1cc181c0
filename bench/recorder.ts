/**
 * `npm run bench -- recorder`: cost of the recorder fork (gate + delay line + spool) per call.
 *
 * - `perCallMinute`: CPU ms and spool bytes per recorded call-minute (synthetic 20 ms frames of
 *   both directions through HoldGate → DelayLine(D = 2500) → SpoolWriter with 1 s fsync), plus
 *   the WAV bytes per minute (8 kHz PCM16 stereo).
 * - `finalize10MinWav`: wall time and ms of the ffmpeg child to finalize a 10-minute call to WAV
 *   (index spool, interleave, encode, fsync, SHA-256, metadata).
 * - `concurrency`: recordings fed in real time by one 20 ms tick (each tick pushes one frame per
 *   direction per recording; every spool fsync'd once a second), stepped up until a step misses
 *   real time (p99 tick work > 20 ms or the ticks fall > 100 ms behind) or the cap is reached
 *   (default 2000 recordings, 60 s total).
 *
 * Options: --steps 100,250,500,1000,1500,2000 --step-seconds 4 --max-seconds 60 --minutes 3
 * Also exports the synthetic-call helpers the recorder tests use.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DelayLine, FRAME_MS, FRAME_SAMPLES } from '../src/gate/delay-line.js';
import { HoldGate } from '../src/gate/hold-gate.js';
import { FileRecorder } from '../src/recorder/file-recorder.js';
import { RecordKind, type SpoolHeader } from '../src/recorder/spool-format.js';
import { SpoolWriter } from '../src/recorder/spool-writer.js';

/** Sample i of the frame at `tMs` for `direction`: never 0, distinct per direction and frame. */
export function sampleAt(direction: 'caller' | 'agent', tMs: number, i: number): number {
  const frame = Math.round(tMs / FRAME_MS);
  const v = direction === 'caller' ? (frame * 131 + i * 7) % 30000 : (frame * 197 + i * 11) % 30000;
  return (v - 15000) | 1;
}

export function fillFrame(pcm: Int16Array, direction: 'caller' | 'agent', tMs: number): void {
  for (let i = 0; i < FRAME_SAMPLES; i++) pcm[i] = sampleAt(direction, tMs, i);
}

export type GateAction = (gate: HoldGate, tMs: number) => void;

/** A sink the delay line can feed: FileRecorder or a bare spool adapter. */
interface FrameSink {
  frame(direction: 'caller' | 'agent', tMs: number, pcm: Int16Array): void;
  gateEvent(event: { t: number; state: 'recording' | 'paused'; cause: string }): void;
}

/**
 * Runs a call of `endMs` through gate + delay line into `sink`; `actions[t]` run right after the
 * frames captured at t. The gate starts with both legs committed `sendrecv`.
 */
export function runSyntheticCall(
  sink: FrameSink,
  endMs: number,
  actions: Record<number, GateAction> = {},
  delayMs = 2500,
): { gate: HoldGate; line: DelayLine } {
  const gate = new HoldGate({ maxBackdateMs: delayMs, initialSdp: { caller: false, pbx: false } });
  gate.onEvent((e) => sink.gateEvent(e), true);
  const line = new DelayLine(gate, sink, { delayMs });
  const pcm = new Int16Array(FRAME_SAMPLES);
  for (let t = 0; t < endMs; t += FRAME_MS) {
    fillFrame(pcm, 'caller', t);
    line.push('caller', t, pcm);
    fillFrame(pcm, 'agent', t);
    line.push('agent', t, pcm);
    actions[t]?.(gate, t);
  }
  line.flush();
  return { gate, line };
}

function header(id: string): SpoolHeader {
  return {
    version: 1,
    id,
    callId: `${id}@bench`,
    queue: 'bench',
    from: 'sip:caller@127.0.0.1',
    to: 'sip:queue@127.0.0.1',
    startedAt: new Date().toISOString(),
    format: 'wav',
    pauseBehaviour: 'gap',
    delayMs: 2500,
    consentPolicy: 'none',
    codec: 'PCMU',
    retainUntil: new Date(Date.now() + 90 * 86_400_000).toISOString(),
  };
}

/** Gate + delay line + spool of one live recording, advanced one 20 ms tick at a time. */
class LiveRecording {
  readonly gate = new HoldGate({ initialSdp: { caller: false, pbx: false } });
  readonly line: DelayLine;
  private t = 0;

  constructor(readonly writer: SpoolWriter) {
    this.line = new DelayLine(this.gate, {
      frame: (direction, tMs, pcm) =>
        writer.appendFrame(direction === 'caller' ? RecordKind.Caller : RecordKind.Agent, tMs, pcm),
    });
  }

  tick(pcm: Int16Array): void {
    this.line.push('caller', this.t, pcm);
    this.line.push('agent', this.t, pcm);
    this.t += FRAME_MS;
  }
}

function option(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(name);
  return i >= 0 ? (args[i + 1] ?? fallback) : fallback;
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

async function perCallMinute(dir: string, minutes: number): Promise<Record<string, number>> {
  const writer = await SpoolWriter.create(join(dir, 'minute.spool'), header('minute'));
  const sink: FrameSink = {
    frame: (d, t, pcm) =>
      writer.appendFrame(d === 'caller' ? RecordKind.Caller : RecordKind.Agent, t, pcm),
    gateEvent: (e) => writer.appendNote(Math.round(e.t * 1000), { type: 'gate', event: e }),
  };
  const endMs = minutes * 60_000;
  const cpu0 = cpuMs();
  const t0 = performance.now();
  // one fsync per simulated second, as in real time
  const actions: Record<number, GateAction> = {};
  for (let t = 1000; t < endMs; t += 1000) actions[t] = () => void writer.flush();
  runSyntheticCall(sink, endMs, actions);
  await writer.close(endMs);
  const cpu = cpuMs() - cpu0;
  const bytes = (await stat(join(dir, 'minute.spool'))).size;
  return {
    callMinutes: minutes,
    cpuMsPerCallMinute: round(cpu / minutes),
    wallMsPerCallMinute: round((performance.now() - t0) / minutes),
    spoolBytesPerCallMinute: Math.round(bytes / minutes),
    wavBytesPerCallMinute: 60 * 8000 * 2 * 2,
    fsyncsPerCallMinute: Math.round(writer.syncCount / minutes),
  };
}

async function finalizeTenMinutes(dir: string): Promise<Record<string, number | string>> {
  const recorder = await FileRecorder.open({
    dir,
    id: 'ten-minutes',
    callId: 'ten@bench',
    queue: 'bench',
    from: 'sip:a@127.0.0.1',
    to: 'sip:b@127.0.0.1',
    startedAt: new Date(),
  });
  const endMs = 600_000;
  runSyntheticCall(recorder, endMs, {
    120_000: (g, t) => g.sdpOffer({ leg: 'pbx', exchangeId: 'h', hold: true }, t),
    121_000: (g, t) => g.exchangeCommitted('h', t),
    180_000: (g, t) => g.sdpOffer({ leg: 'pbx', exchangeId: 'r', hold: false }, t),
    180_100: (g, t) => g.exchangeCommitted('r', t),
  });
  await recorder.flush();
  const spoolBytes = (await stat(recorder.spoolPath)).size;
  const cpu0 = cpuMs();
  const t0 = performance.now();
  const meta = await recorder.close(endMs);
  return {
    status: meta.status,
    wallMs: Math.round(performance.now() - t0),
    mainThreadCpuMs: Math.round(cpuMs() - cpu0),
    audioSeconds: meta.audio?.durationSeconds ?? 0,
    audioBytes: meta.audio?.bytes ?? 0,
    spoolBytes,
  };
}

async function concurrency(
  dir: string,
  steps: number[],
  stepSeconds: number,
  maxSeconds: number,
): Promise<Record<string, unknown>> {
  const live: LiveRecording[] = [];
  const pcm = new Int16Array(FRAME_SAMPLES);
  fillFrame(pcm, 'caller', 0);
  const results: Record<string, number | boolean>[] = [];
  let sustained = 0;
  const deadline = performance.now() + maxSeconds * 1000;
  try {
    for (const n of steps) {
      if (performance.now() > deadline) break;
      while (live.length < n) {
        const id = `c${live.length}`;
        live.push(
          new LiveRecording(await SpoolWriter.create(join(dir, `${id}.spool`), header(id))),
        );
      }
      const ticks = Math.round((stepSeconds * 1000) / FRAME_MS);
      const work: number[] = [];
      const cpu0 = cpuMs();
      const start = performance.now();
      let maxBehind = 0;
      for (let k = 0; k < ticks; k++) {
        const due = start + k * FRAME_MS;
        const wait = due - performance.now();
        if (wait > 1) await new Promise((r) => setTimeout(r, wait));
        const w0 = performance.now();
        maxBehind = Math.max(maxBehind, w0 - due);
        for (const rec of live) rec.tick(pcm);
        work.push(performance.now() - w0);
        if (maxBehind > 100) break;
      }
      const elapsed = performance.now() - start;
      work.sort((a, b) => a - b);
      const p99 = work[Math.floor(work.length * 0.99)] ?? 0;
      const ok = p99 <= FRAME_MS && maxBehind <= 100;
      results.push({
        recordings: n,
        ok,
        tickWorkMsP50: round(work[Math.floor(work.length / 2)] ?? 0),
        tickWorkMsP99: round(p99),
        maxBehindMs: round(maxBehind),
        cpuPct: round(((cpuMs() - cpu0) / elapsed) * 100),
        fsyncsPerSecond: round(live.reduce((s, r) => s + r.writer.syncCount, 0) / (elapsed / 1000)),
      });
      for (const rec of live) rec.writer.syncCount = 0;
      if (!ok) break;
      sustained = n;
    }
  } finally {
    await Promise.all(live.map((r) => r.writer.close(0)));
  }
  return { maxSustainedRecordings: sustained, steps: results };
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

export default async function run(args: string[]): Promise<unknown> {
  const steps = option(args, '--steps', '100,250,500,1000,1500,2000')
    .split(',')
    .map(Number)
    .filter((n) => n > 0);
  const stepSeconds = Number(option(args, '--step-seconds', '4'));
  const maxSeconds = Number(option(args, '--max-seconds', '60'));
  const minutes = Number(option(args, '--minutes', '3'));
  const dir = await mkdtemp(join(tmpdir(), 'holdgate-bench-recorder-'));
  try {
    return {
      machine: { cpus: (await import('node:os')).cpus().length, dir },
      perCallMinute: await perCallMinute(dir, minutes),
      finalize10MinWav: await finalizeTenMinutes(dir),
      concurrency: await concurrency(dir, steps, stepSeconds, maxSeconds),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
