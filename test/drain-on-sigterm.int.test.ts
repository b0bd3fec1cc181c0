/**
 * Graceful drain (issue 2, Build item 6): after SIGTERM new INVITEs get 503 with Retry-After,
 * calls in progress continue until they end (then the process exits 0) or until the deadline
 * (then both legs get a BYE).
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { SipRequest } from '../src/sip/message/index.js';
import { spawnHoldgate, type HoldgateProcess } from './peers/holdgate-process.js';
import { RawSipPeer, responseTo, sdp } from './peers/raw-sip-peer.js';

const HG = { address: '127.0.0.80', port: 15080 };
const CALLER_IP = '127.0.0.81';
const PBX_IP = '127.0.0.82';

let proc: HoldgateProcess | undefined;
const peers: RawSipPeer[] = [];

afterEach(() => {
  proc?.kill('SIGKILL');
  for (const p of peers.splice(0)) p.close();
});

function config(pbxPort: number, drainDeadlineSeconds: number): string {
  return `
sip:
  listen: [{ protocol: udp, address: ${HG.address}, port: ${HG.port} }]
  t1Ms: 50
  drainDeadlineSeconds: ${drainDeadlineSeconds}
  retryAfterSeconds: 17
recording: { enabled: false }
acl: { trunks: [${CALLER_IP}/32] }
queues: [{ name: q, match: { requestUser: '.*' }, pbx: { host: ${PBX_IP}, port: ${pbxPort} } }]
log: { level: info }
`;
}

function invite(caller: RawSipPeer): string {
  return `INVITE sip:1000@${HG.address} SIP/2.0
Via: SIP/2.0/UDP ${caller.hostport};branch=z9hG4bK${randomBytes(8).toString('hex')};rport
Max-Forwards: 70
From: <sip:caller@${CALLER_IP}>;tag=${randomBytes(4).toString('hex')}
To: <sip:1000@${HG.address}>
Call-ID: ${randomBytes(8).toString('hex')}
CSeq: 1 INVITE
Contact: <sip:caller@${caller.hostport}>
Content-Type: application/sdp

${sdp(CALLER_IP, 6000)}`;
}

async function establishCall(
  caller: RawSipPeer,
  pbx: RawSipPeer,
): Promise<{ ok: import('../src/sip/message/index.js').SipResponse; pbxInvite: SipRequest }> {
  caller.send(invite(caller), HG);
  const pbxInvite = await pbx.request('INVITE', 10_000);
  pbx.send(
    responseTo(pbxInvite, 200, 'OK', {
      toTag: 'p1',
      extra: `Contact: <sip:agent@${pbx.hostport}>`,
      body: sdp(PBX_IP, 7000),
    }),
    HG,
  );
  const ok = await caller.response(200, 'INVITE');
  caller.send(
    `ACK sip:holdgate@${HG.address}:${HG.port} SIP/2.0
Via: SIP/2.0/UDP ${caller.hostport};branch=z9hG4bK${randomBytes(8).toString('hex')}
Max-Forwards: 70
From: ${ok.get('from') ?? ''}
To: ${ok.get('to') ?? ''}
Call-ID: ${ok.get('call-id') ?? ''}
CSeq: 1 ACK
`,
    HG,
  );
  return { ok, pbxInvite };
}

describe('drain on SIGTERM', () => {
  it('refuses new calls with 503 + Retry-After, lets the running call finish, then exits 0', async () => {
    const caller = await RawSipPeer.udp(CALLER_IP);
    const pbx = await RawSipPeer.udp(PBX_IP);
    peers.push(caller, pbx);
    proc = spawnHoldgate(config(pbx.port, 60));
    await proc.waitForLog(/holdgate started/);
    const { ok } = await establishCall(caller, pbx);
    proc.kill('SIGTERM');
    await proc.waitForLog(/draining/);
    caller.send(invite(caller), HG);
    const refused = await caller.response(503, 'INVITE');
    expect(refused.get('retry-after')).toBe('17');
    expect(pbx.count((m) => m.kind === 'request' && m.method === 'INVITE')).toBe(1);
    // The call in progress still works: the caller hangs up normally.
    caller.send(
      `BYE sip:holdgate@${HG.address}:${HG.port} SIP/2.0
Via: SIP/2.0/UDP ${caller.hostport};branch=z9hG4bK${randomBytes(8).toString('hex')}
Max-Forwards: 70
From: ${ok.get('from') ?? ''}
To: ${ok.get('to') ?? ''}
Call-ID: ${ok.get('call-id') ?? ''}
CSeq: 2 BYE
`,
      HG,
    );
    await caller.response(200, 'BYE');
    const bye = await pbx.request('BYE');
    pbx.send(responseTo(bye, 200, 'OK'), HG);
    expect(await proc.exited).toBe(0);
  });

  it('ends calls still running at the deadline with a BYE on both legs', async () => {
    const caller = await RawSipPeer.udp(CALLER_IP);
    const pbx = await RawSipPeer.udp(PBX_IP);
    peers.push(caller, pbx);
    proc = spawnHoldgate(config(pbx.port, 1));
    await proc.waitForLog(/holdgate started/);
    await establishCall(caller, pbx);
    const t0 = Date.now();
    proc.kill('SIGTERM');
    const [callerBye, pbxBye] = await Promise.all([
      caller.request('BYE', 5000),
      pbx.request('BYE', 5000),
    ]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    caller.send(responseTo(callerBye, 200, 'OK'), HG);
    pbx.send(responseTo(pbxBye, 200, 'OK'), HG);
    expect(await proc.exited).toBe(0);
  });
});
