/**
 * Load generator for `bench/relay.ts`, run as a separate process (`node --import tsx`) so the
 * relay under test does not share its event loop. Each call is two UDP sockets standing for the
 * caller and the PBX; each sends 20 ms G.711 RTP (160-byte payload) to the relay port facing it,
 * with its send time (performance.now(), this process) in the first 8 payload bytes, and
 * measures arrival of the other side's packets: loss and added latency.
 *
 * Protocol over the IPC channel: {op:'bind', count} → {ports:[[callerPort, pbxPort], …]} for the
 * new calls; {op:'targets', targets:[[relayAddr, relayCallerPort, relayPbxPort], …]} for all calls;
 * {op:'run', ms} → step result; {op:'reset'} closes every call; {op:'exit'}.
 */
import { createSocket, type Socket } from 'node:dgram';

const CALLER = process.env['RELAY_LOAD_CALLER'] ?? '127.0.0.41';
const PBX = process.env['RELAY_LOAD_PBX'] ?? '127.0.0.42';
const PACKET = 172;
const MAX_SAMPLES = 4_000_000;

interface LoadCall {
  readonly caller: Socket;
  readonly pbx: Socket;
  readonly callerBuf: Buffer;
  readonly pbxBuf: Buffer;
  relay: string;
  relayCallerPort: number;
  relayPbxPort: number;
  seq: number;
}

const calls: LoadCall[] = [];
const latencies = new Float64Array(MAX_SAMPLES);
let nLat = 0;
let received = 0;
let sent = 0;
let measuring = false;

function onMessage(msg: Buffer): void {
  if (!measuring || msg.length !== PACKET) return;
  received++;
  if (nLat < MAX_SAMPLES) latencies[nLat++] = performance.now() - msg.readDoubleLE(12);
}

function packet(ssrc: number): Buffer {
  const b = Buffer.alloc(PACKET, 0x55);
  b[0] = 0x80;
  b[1] = 0;
  b.writeUInt32BE(ssrc, 8);
  return b;
}

async function bind(address: string): Promise<Socket> {
  const s = createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, address, resolve));
  s.setRecvBufferSize(1 << 20);
  s.on('message', onMessage);
  return s;
}

async function bindCalls(count: number): Promise<number[][]> {
  const ports: number[][] = [];
  for (let i = 0; i < count; i++) {
    const caller = await bind(CALLER);
    const pbx = await bind(PBX);
    const n = calls.length;
    calls.push({
      caller,
      pbx,
      callerBuf: packet(0x10000 + n),
      pbxBuf: packet(0x20000 + n),
      relay: '',
      relayCallerPort: 0,
      relayPbxPort: 0,
      seq: 0,
    });
    ports.push([caller.address().port, pbx.address().port]);
  }
  return ports;
}

function sendOne(
  sock: Socket,
  buf: Buffer,
  seq: number,
  ts: number,
  port: number,
  to: string,
): void {
  buf.writeUInt16BE(seq, 2);
  buf.writeUInt32BE(ts, 4);
  buf.writeDoubleLE(performance.now(), 12);
  sock.send(buf, 0, PACKET, port, to);
  sent++;
}

function send(c: LoadCall): void {
  if (c.relay === '') return;
  const seq = c.seq++ & 0xffff;
  const ts = (c.seq * 160) >>> 0;
  sendOne(c.caller, c.callerBuf, seq, ts, c.relayCallerPort, c.relay);
  sendOne(c.pbx, c.pbxBuf, seq, ts, c.relayPbxPort, c.relay);
}

/** Sends for `ms`, each call every 20 ms, spread over 1 ms slots; then waits for stragglers. */
async function run(ms: number): Promise<unknown> {
  received = 0;
  sent = 0;
  nLat = 0;
  measuring = true;
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  let slot = 0;
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const now = performance.now();
      if (now - start >= ms) {
        resolve();
        return;
      }
      // Catch up every 1 ms slot that is due: call i sends in slot i % 20.
      const due = Math.floor(now - start);
      while (slot <= due) {
        const phase = slot % 20;
        for (let i = phase; i < calls.length; i += 20) send(calls[i]!);
        slot++;
      }
      setTimeout(tick, 1);
    };
    tick();
  });
  await new Promise((r) => setTimeout(r, 300));
  measuring = false;
  const wallMs = performance.now() - start;
  const cpu = process.cpuUsage(cpu0);
  const lat = latencies.subarray(0, nLat).sort();
  const pct = (p: number): number =>
    nLat === 0 ? NaN : lat[Math.min(nLat - 1, Math.floor((p / 100) * nLat))]!;
  return {
    calls: calls.length,
    sent,
    received,
    lossPct: sent === 0 ? 0 : (100 * (sent - received)) / sent,
    latencyMs: { p50: pct(50), p99: pct(99), p999: pct(99.9), max: nLat ? lat[nLat - 1] : NaN },
    loaderCpuPct: ((cpu.user + cpu.system) / 1000 / wallMs) * 100,
    /** Wall time of the step incl. the 300 ms drain; far above `ms` means the loader starved. */
    wallMs,
  };
}

type Command =
  | { op: 'bind'; count: number }
  | { op: 'targets'; targets: [string, number, number][] }
  | { op: 'run'; ms: number }
  | { op: 'reset' }
  | { op: 'exit' };

process.on('message', (cmd: Command) => {
  void (async () => {
    switch (cmd.op) {
      case 'bind':
        process.send!({ ports: await bindCalls(cmd.count) });
        return;
      case 'targets':
        cmd.targets.forEach(([addr, callerPort, pbxPort], i) => {
          const c = calls[i];
          if (!c) return;
          c.relay = addr;
          c.relayCallerPort = callerPort;
          c.relayPbxPort = pbxPort;
        });
        process.send!({ ok: true });
        return;
      case 'run':
        process.send!(await run(cmd.ms));
        return;
      case 'reset':
        for (const c of calls) {
          c.caller.close();
          c.pbx.close();
        }
        calls.length = 0;
        process.send!({ ok: true });
        return;
      case 'exit':
        process.exit(0);
    }
  })();
});
process.send!({ ready: true });
