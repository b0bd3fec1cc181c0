/**
 * Graceful drain (issue 2, Build item 6): after SIGTERM new INVITEs get 503 with Retry-After,
 * calls in progress continue until they end (then the process exits 0) or until the deadline
 * (then both legs get a BYE).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawnHoldgate, type HoldgateProcess } from './peers/holdgate-process.js';
import {
  establishCall,
  inDialogText,
  inviteText,
  RawSipPeer,
  responseTo,
} from './peers/raw-sip-peer.js';

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

describe('drain on SIGTERM', () => {
  it('refuses new calls with 503 + Retry-After, lets the running call finish, then exits 0', async () => {
    const caller = await RawSipPeer.udp(CALLER_IP);
    const pbx = await RawSipPeer.udp(PBX_IP);
    peers.push(caller, pbx);
    proc = spawnHoldgate(config(pbx.port, 60));
    await proc.waitForLog(/holdgate started/);
    const { callerDialog } = await establishCall(caller, pbx, HG, {
      host: HG.address,
      timeoutMs: 10_000,
    });
    proc.kill('SIGTERM');
    await proc.waitForLog(/draining/);
    caller.send(inviteText(caller, { host: HG.address }).text, HG);
    const refused = await caller.response(503, 'INVITE');
    expect(refused.get('retry-after')).toBe('17');
    expect(pbx.count((m) => m.kind === 'request' && m.method === 'INVITE')).toBe(1);
    // The call in progress still works: the caller hangs up normally.
    caller.send(inDialogText(caller, 'BYE', callerDialog, 2, HG), HG);
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
    await establishCall(caller, pbx, HG, { host: HG.address, timeoutMs: 10_000 });
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
