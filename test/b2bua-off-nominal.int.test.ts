/**
 * Off-nominal SIP flows through the B2BUA with scripted peers on loopback (issue 2, Build item 4
 * and 5): the caller at 127.0.0.71, the PBX at 127.0.0.72, holdgate at 127.0.0.70.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { validateConfig } from '../src/config/load-config.js';
import { startHoldgate, type Holdgate } from '../src/main.js';
import { silentLogger } from '../src/shared/logger.js';
import type { SipMessage, SipRequest, SipResponse } from '../src/sip/message/index.js';
import {
  dialogAsUac,
  establishCall,
  inDialogText,
  inviteText,
  RawSipPeer,
  responseTo,
  sdp,
  type DialogView,
  type PeerAddress,
} from './peers/raw-sip-peer.js';

const HG_IP = '127.0.0.70';
const CALLER_IP = '127.0.0.71';
const PBX_IP = '127.0.0.72';

let hg: Holdgate;
let caller: RawSipPeer;
let pbx: RawSipPeer;
let hgUdp: PeerAddress;

async function start(
  overrides: { pbxTransport?: 'udp' | 'tcp'; pbxPort?: number; trunks?: string[] } = {},
): Promise<void> {
  const config = validateConfig({
    sip: {
      listen: [
        { protocol: 'udp', address: HG_IP, port: 0 },
        { protocol: 'tcp', address: HG_IP, port: 0 },
      ],
      t1Ms: 50,
      t2Ms: 400,
    },
    recording: { enabled: false },
    acl: { trunks: overrides.trunks ?? [`${CALLER_IP}/32`] },
    queues: [
      {
        name: 'sales',
        match: { requestUser: '1000' },
        pbx: {
          host: PBX_IP,
          port: overrides.pbxPort ?? pbx.port,
          transport: overrides.pbxTransport ?? 'udp',
        },
      },
    ],
    log: { level: 'silent' },
  });
  hg = await startHoldgate(config, { logger: silentLogger() });
  const udp = hg.localEndpoints().find((e) => e.protocol === 'udp')!;
  hgUdp = { address: udp.address, port: udp.port };
}

function invite(
  opts: {
    callId?: string;
    tag?: string;
    user?: string;
    extra?: string;
    body?: string | null;
    peer?: RawSipPeer;
    transport?: string;
  } = {},
): { text: string; callId: string; tag: string } {
  const { peer, ...rest } = opts;
  return inviteText(peer ?? caller, { host: HG_IP, ...rest });
}

/** An in-dialog request from the caller, using the dialog state from holdgate's 200. */
function inDialog(method: string, ok: SipMessage, cseq: number, body = ''): string {
  return inDialogText(caller, method, dialogAsUac(ok), cseq, hgUdp, { body });
}

/** Caller INVITE → PBX answers 200 → caller gets 200 (not yet ACKed); holdgate ACKs the PBX. */
async function establish(): Promise<{
  ok: SipResponse;
  pbxInvite: SipRequest;
  pbxDialog: DialogView;
}> {
  return establishCall(caller, pbx, hgUdp, { host: HG_IP, ack: false });
}

function ackFor(ok: SipResponse): string {
  return inDialog('ACK', ok, 1);
}

beforeEach(async () => {
  caller = await RawSipPeer.udp(CALLER_IP);
  pbx = await RawSipPeer.udp(PBX_IP);
});

afterEach(async () => {
  await hg.close();
  caller.close();
  pbx.close();
});

describe('B2BUA off-nominal flows', () => {
  it('relays a call and a caller BYE, PBX gets a fresh dialog with copied headers', async () => {
    await start();
    const inv = invite({
      extra:
        'P-Asserted-Identity: <sip:+31612345678@carrier>\nX-Secret: leak\nAuthorization: Digest username="x"',
    });
    caller.send(inv.text, hgUdp);
    expect((await caller.response(100, 'INVITE')).status).toBe(100);
    const pbxInvite = await pbx.request('INVITE');
    expect(pbxInvite.get('call-id')).not.toBe(inv.callId);
    expect(pbxInvite.get('from')).not.toContain(inv.tag);
    expect(pbxInvite.get('max-forwards')).toBe('69');
    expect(pbxInvite.get('p-asserted-identity')).toBe('<sip:+31612345678@carrier>');
    expect(pbxInvite.has('x-secret')).toBe(false);
    expect(pbxInvite.has('authorization')).toBe(false);
    expect(pbxInvite.get('x-holdgate-call-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(pbxInvite.uri).toBe(`sip:1000@${PBX_IP}:${pbx.port}`);
    pbx.send(responseTo(pbxInvite, 180, 'Ringing', { toTag: 'pbx1' }), hgUdp);
    await caller.response(180, 'INVITE');
    pbx.send(
      responseTo(pbxInvite, 200, 'OK', {
        toTag: 'pbx1',
        extra: `Contact: <sip:agent@${pbx.hostport}>`,
        body: sdp(PBX_IP, 7000),
      }),
      hgUdp,
    );
    const ok = await caller.response(200, 'INVITE');
    expect(ok.body.toString()).toContain('c=IN IP4 127.0.0.1'); // anchored at holdgate's relay
    caller.send(ackFor(ok), hgUdp);
    caller.send(inDialog('BYE', ok, 2), hgUdp);
    await caller.response(200, 'BYE');
    const bye = await pbx.request('BYE');
    pbx.send(responseTo(bye, 200, 'OK'), hgUdp);
    await expect.poll(() => hg.b2bua.activeCalls).toBe(0);
  });

  it('answers a BYE that comes before the ACK and stops retransmitting the 2xx', async () => {
    await start();
    const { ok } = await establish();
    caller.send(inDialog('BYE', ok, 2), hgUdp);
    await caller.response(200, 'BYE');
    await pbx.request('BYE');
    const before = caller.count(
      (m) => m.kind === 'response' && m.status === 200 && (m.get('cseq') ?? '').endsWith('INVITE'),
    );
    await new Promise((r) => setTimeout(r, 600)); // > T1 + 2T1 + 4T1 with T1 = 50 ms
    const after = caller.count(
      (m) => m.kind === 'response' && m.status === 200 && (m.get('cseq') ?? '').endsWith('INVITE'),
    );
    expect(after).toBe(before);
    expect(hg.b2bua.activeCalls).toBe(0);
  });

  it('retransmits the 2xx until the ACK arrives (RFC 3261 §13.3.1.4)', async () => {
    await start();
    const { ok } = await establish();
    await new Promise((r) => setTimeout(r, 400));
    const retransmitted = caller.count(
      (m) => m.kind === 'response' && m.status === 200 && (m.get('cseq') ?? '').endsWith('INVITE'),
    );
    expect(retransmitted).toBeGreaterThanOrEqual(3);
    caller.send(ackFor(ok), hgUdp);
    await new Promise((r) => setTimeout(r, 150));
    const settled = caller.count(
      (m) => m.kind === 'response' && m.status === 200 && (m.get('cseq') ?? '').endsWith('INVITE'),
    );
    await new Promise((r) => setTimeout(r, 900));
    expect(
      caller.count(
        (m) =>
          m.kind === 'response' && m.status === 200 && (m.get('cseq') ?? '').endsWith('INVITE'),
      ),
    ).toBe(settled);
  });

  it('answers a re-INVITE before the initial ACK with 491 and never takes it for a new call', async () => {
    await start();
    const { ok } = await establish();
    caller.send(inDialog('INVITE', ok, 2, sdp(CALLER_IP, 6000, 'sendonly')), hgUdp);
    await caller.response(491, 'INVITE');
    expect(pbx.count((m) => m.kind === 'request' && m.method === 'INVITE')).toBe(1);
    expect(hg.b2bua.stats.invites).toBe(1);
  });

  it('answers a second re-INVITE while one is pending with 500 and Retry-After', async () => {
    await start();
    const { ok } = await establish();
    caller.send(ackFor(ok), hgUdp);
    caller.send(inDialog('INVITE', ok, 2, sdp(CALLER_IP, 6000, 'sendonly')), hgUdp);
    const reinvite = await pbx.request('INVITE'); // forwarded; the PBX does not answer yet
    expect(reinvite.body.toString()).toContain('a=sendonly');
    caller.send(inDialog('INVITE', ok, 3, sdp(CALLER_IP, 6000, 'inactive')), hgUdp);
    const busy = await caller.response(500, 'INVITE');
    const retryAfter = Number(busy.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(0);
    expect(retryAfter).toBeLessThanOrEqual(10);
    pbx.send(responseTo(reinvite, 200, 'OK', { body: sdp(PBX_IP, 7000, 'recvonly') }), hgUdp);
    const held = await caller.response(200, 'INVITE');
    expect(held.body.toString()).toContain('a=recvonly');
  });

  it('glare: crossing re-INVITEs get 491 on both legs, and a retry after the back-off succeeds', async () => {
    await start();
    const { ok, pbxDialog } = await establish();
    caller.send(ackFor(ok), hgUdp);
    caller.send(inDialog('INVITE', ok, 2, sdp(CALLER_IP, 6000, 'sendonly')), hgUdp);
    const forwarded = await pbx.request('INVITE');
    // The PBX's own re-INVITE crosses ours: holdgate has an offer pending on that leg (§14.2).
    pbx.send(
      inDialogText(pbx, 'INVITE', pbxDialog, 7, hgUdp, { body: sdp(PBX_IP, 7000, 'sendonly') }),
      hgUdp,
    );
    await pbx.response(491, 'INVITE');
    // The PBX answers ours with 491 too; the caller gets it and retries after its back-off.
    pbx.send(responseTo(forwarded, 491, 'Request Pending'), hgUdp);
    await caller.response(491, 'INVITE');
    await pbx.request('ACK'); // the transaction ACKs the PBX's 491 (§17.1.1.3)
    caller.send(inDialog('INVITE', ok, 3, sdp(CALLER_IP, 6000, 'sendonly')), hgUdp);
    const retry = await pbx.request('INVITE');
    pbx.send(responseTo(retry, 200, 'OK', { body: sdp(PBX_IP, 7000, 'recvonly') }), hgUdp);
    const held = await caller.response(200, 'INVITE');
    expect(held.body.toString()).toContain('a=recvonly');
  });

  it('ACKs and BYEs a PBX 200 that crosses the CANCEL; the caller gets 487 (RFC 5407 §3.1.2)', async () => {
    await start();
    const inv = invite();
    caller.send(inv.text, hgUdp);
    const pbxInvite = await pbx.request('INVITE');
    pbx.send(responseTo(pbxInvite, 180, 'Ringing', { toTag: 'pbx1' }), hgUdp);
    const ringing = await caller.response(180, 'INVITE');
    const via = inv.text.split('\n')[1]!; // the CANCEL carries the INVITE's Via (§9.1)
    caller.send(
      `CANCEL sip:1000@${HG_IP} SIP/2.0
${via}
Max-Forwards: 70
From: ${ringing.get('from') ?? ''}
To: <sip:1000@${HG_IP}>
Call-ID: ${inv.callId}
CSeq: 1 CANCEL
`,
      hgUdp,
    );
    await caller.response(200, 'CANCEL');
    await caller.response(487, 'INVITE');
    const cancel = await pbx.request('CANCEL');
    // The PBX had already answered: its 200 crosses the CANCEL.
    pbx.send(
      responseTo(pbxInvite, 200, 'OK', {
        toTag: 'pbx1',
        extra: `Contact: <sip:agent@${pbx.hostport}>`,
        body: sdp(PBX_IP, 7000),
      }),
      hgUdp,
    );
    pbx.send(responseTo(cancel, 200, 'OK'), hgUdp);
    await pbx.request('ACK');
    const bye = await pbx.request('BYE');
    pbx.send(responseTo(bye, 200, 'OK'), hgUdp);
    expect(
      caller.count(
        (m) =>
          m.kind === 'response' && m.status === 200 && (m.get('cseq') ?? '').endsWith('INVITE'),
      ),
    ).toBe(0);
  });

  it('answers a re-INVITE after the dialog ended with 481', async () => {
    await start();
    const { ok, pbxDialog } = await establish();
    caller.send(ackFor(ok), hgUdp);
    pbx.send(inDialogText(pbx, 'BYE', pbxDialog, 10, hgUdp), hgUdp);
    await pbx.response(200, 'BYE');
    const bye = await caller.request('BYE');
    caller.send(responseTo(bye, 200, 'OK'), hgUdp);
    caller.send(inDialog('INVITE', ok, 5, sdp(CALLER_IP, 6000)), hgUdp);
    await caller.response(481, 'INVITE');
  });

  it('drops a bare ACK for no dialog silently and keeps serving', async () => {
    await start();
    caller.send(
      `ACK sip:1000@${HG_IP} SIP/2.0
Via: SIP/2.0/UDP ${caller.hostport};branch=z9hG4bK${randomBytes(8).toString('hex')}
Max-Forwards: 70
From: <sip:a@${CALLER_IP}>;tag=1
To: <sip:1000@${HG_IP}>;tag=2
Call-ID: nobody
CSeq: 1 ACK
`,
      hgUdp,
    );
    await expect(caller.next(() => true, 300)).rejects.toThrow(/no matching message/);
    caller.send(
      `OPTIONS sip:${HG_IP} SIP/2.0
Via: SIP/2.0/UDP ${caller.hostport};branch=z9hG4bK${randomBytes(8).toString('hex')}
Max-Forwards: 70
From: <sip:a@${CALLER_IP}>;tag=1
To: <sip:${HG_IP}>
Call-ID: ping
CSeq: 1 OPTIONS
`,
      hgUdp,
    );
    const pong = await caller.response(200, 'OPTIONS');
    expect(pong.get('allow')).toContain('INVITE');
  });

  it('refuses what it must not forward, with the RFC 3261/4475 codes, and sends nothing to the PBX', async () => {
    await start();
    const cases: [string, number][] = [
      [invite({ extra: 'Max-Forwards: 0' }).text.replace('Max-Forwards: 70\n', ''), 483],
      [invite({ extra: 'Require: foo-bar' }).text, 420],
      [
        invite({ body: null, extra: 'Content-Type: text/plain' }).text.replace(
          /\n\n$/,
          '\n\nhello',
        ),
        415,
      ],
      [invite({ user: '9999' }).text, 404],
    ];
    for (const [text, status] of cases) {
      caller.send(text, hgUdp);
      const res = await caller.next((m) => m.kind === 'response' && m.status >= 400);
      expect(res.kind === 'response' && res.status).toBe(status);
      if (status === 420) expect(res.get('unsupported')).toBe('foo-bar');
    }
    expect(pbx.log).toHaveLength(0);
  });

  it('refuses INVITEs from outside the trunk ACL with 403, even for existing numbers', async () => {
    await start({ trunks: ['127.0.0.99/32'] });
    caller.send(invite().text, hgUdp);
    await caller.response(403, 'INVITE');
    caller.send(invite({ user: '9999' }).text, hgUdp);
    await caller.response(403, 'INVITE');
    await new Promise((r) => setTimeout(r, 100));
    expect(pbx.log).toHaveLength(0);
  });

  it('answers 503 at once when the PBX is unreachable over TCP', async () => {
    await start({ pbxTransport: 'tcp', pbxPort: 1 });
    caller.send(invite().text, hgUdp);
    const res = await caller.next((m) => m.kind === 'response' && m.status >= 300, 3000);
    expect(res.kind === 'response' && res.status).toBe(503);
  });

  it('answers 408 within the Timer B bound when the PBX stays silent', async () => {
    await start();
    const t0 = Date.now();
    caller.send(invite().text, hgUdp);
    await pbx.request('INVITE');
    const res = await caller.next((m) => m.kind === 'response' && m.status >= 300, 6000);
    expect(res.kind === 'response' && res.status).toBe(408);
    const elapsed = Date.now() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(64 * 50 - 100);
    expect(elapsed).toBeLessThan(64 * 50 + 1500);
    // Timer A retransmitted the INVITE to the silent PBX.
    expect(pbx.count((m) => m.kind === 'request' && m.method === 'INVITE')).toBeGreaterThan(3);
  });

  it('does not strand the call when the caller’s TCP connection drops mid-dialog', async () => {
    await start();
    const tcpEndpoint = hg.localEndpoints().find((e) => e.protocol === 'tcp')!;
    const tcpCaller = await RawSipPeer.tcp(CALLER_IP, {
      address: tcpEndpoint.address,
      port: tcpEndpoint.port,
    });
    const { ok, pbxDialog } = await establishCall(tcpCaller, pbx, hgUdp, {
      host: HG_IP,
      ack: false,
    });
    tcpCaller.send(inDialogText(tcpCaller, 'ACK', dialogAsUac(ok), 1, hgUdp, { transport: 'TCP' }));
    tcpCaller.close();
    await new Promise((r) => setTimeout(r, 100));
    pbx.send(inDialogText(pbx, 'BYE', pbxDialog, 10, hgUdp), hgUdp);
    await pbx.response(200, 'BYE');
    await expect.poll(() => hg.b2bua.activeCalls, { timeout: 5000 }).toBe(0);
  });
});
