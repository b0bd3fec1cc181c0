/**
 * holdgate's own forwarding latency, measured on the wire: tshark captures a 100 cps run on the
 * loopback interface and, per call, the time from the caller's INVITE reaching holdgate to the
 * PBX-leg INVITE leaving it, plus the PBX's 200 arriving to the caller's 200 leaving. SIPp's own
 * response-time figure has 1 ms resolution and includes SIPp's pacing of 100/180/200, so this is
 * the figure that answers "what does holdgate add". Needs `tshark` (Debian package `tshark`).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { percentile } from '../../test/support/sipp-stats.js';

export interface HopLatency {
  calls: number;
  inviteForwardMs: { p50: number | null; p99: number | null };
  okForwardMs: { p50: number | null; p99: number | null };
  addedMs: { p50: number | null; p99: number | null };
}

/** Run `load` while capturing traffic to and from `holdgateIp`; undefined without tshark. */
export async function measureHopLatency(
  holdgateIp: string,
  callerIp: string,
  load: () => Promise<unknown>,
): Promise<HopLatency | { error: string }> {
  if (spawnSync('tshark', ['--version']).status !== 0) return { error: 'tshark not installed' };
  const dir = await mkdtemp(join(tmpdir(), 'holdgate-hop-'));
  const pcap = join(dir, 'sip.pcap');
  const capture = spawn(
    'tshark',
    ['-q', '-i', 'lo', '-f', `udp and host ${holdgateIp}`, '-w', pcap],
    {
      stdio: 'ignore',
    },
  );
  try {
    await new Promise((r) => setTimeout(r, 1500)); // tshark needs a moment to open the interface
    await load();
    await new Promise((r) => setTimeout(r, 300));
  } finally {
    capture.kill('SIGINT');
    await new Promise((r) => capture.once('exit', r));
  }
  const fields = spawnSync(
    'tshark',
    [
      '-r',
      pcap,
      '-T',
      'fields',
      '-e',
      'frame.time_epoch',
      '-e',
      'ip.src',
      '-e',
      'ip.dst',
      '-e',
      'sip.Method',
      '-e',
      'sip.Status-Code',
      '-e',
      'sip.CSeq.method',
      '-e',
      'sip.Call-ID',
    ],
    { encoding: 'utf8', maxBuffer: 256 << 20 },
  ).stdout;
  await rm(dir, { recursive: true, force: true });
  const inviteIn = new Map<string, number>();
  const callerOrder: string[] = [];
  const inviteOut: [string, number][] = [];
  const seenOut = new Set<string>();
  const okIn = new Map<string, number>();
  const okOut = new Map<string, number>();
  for (const line of fields.split('\n')) {
    const [t, src, dst, method, status, cseqMethod, callId] = line.split('\t');
    if (t === undefined || callId === undefined || callId === '') continue;
    const at = Number(t) * 1000;
    if (dst === holdgateIp && method === 'INVITE' && !inviteIn.has(callId)) {
      inviteIn.set(callId, at);
      callerOrder.push(callId);
    } else if (
      src === holdgateIp &&
      method === 'INVITE' &&
      dst !== callerIp &&
      !seenOut.has(callId)
    ) {
      seenOut.add(callId);
      inviteOut.push([callId, at]);
    } else if (
      dst === holdgateIp &&
      status === '200' &&
      cseqMethod === 'INVITE' &&
      !okIn.has(callId)
    ) {
      okIn.set(callId, at);
    } else if (
      src === holdgateIp &&
      status === '200' &&
      cseqMethod === 'INVITE' &&
      !okOut.has(callId)
    ) {
      okOut.set(callId, at);
    }
  }
  // Calls are forwarded in arrival order, so the k-th caller INVITE is the k-th PBX INVITE.
  const forward: number[] = [];
  const back: number[] = [];
  const added: number[] = [];
  callerOrder.forEach((callerId, k) => {
    const out = inviteOut[k];
    const tIn = inviteIn.get(callerId);
    if (!out || tIn === undefined) return;
    const f = out[1] - tIn;
    const pbxOk = okIn.get(out[0]);
    const callerOk = okOut.get(callerId);
    forward.push(f);
    if (pbxOk !== undefined && callerOk !== undefined) {
      back.push(callerOk - pbxOk);
      added.push(f + callerOk - pbxOk);
    }
  });
  const round = (v: number | null): number | null =>
    v === null ? null : Math.round(v * 1000) / 1000;
  const pct = (v: number[]) => ({ p50: round(percentile(v, 50)), p99: round(percentile(v, 99)) });
  return {
    calls: added.length,
    inviteForwardMs: pct(forward),
    okForwardMs: pct(back),
    addedMs: pct(added),
  };
}
