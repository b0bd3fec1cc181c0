/**
 * Never an open relay, and memory stays bounded under a flood (issue 2, Build item 5): a trunk
 * that floods INVITEs at a PBX that never answers hits the per-source rate limit and the caps on
 * calls and transactions; a source outside the ACL gets 403 and nothing reaches the PBX.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { validateConfig } from '../src/config/load-config.js';
import { startHoldgate, type Holdgate } from '../src/main.js';
import { silentLogger } from '../src/shared/logger.js';
import { RawSipPeer, sdp, type PeerAddress } from './peers/raw-sip-peer.js';

const HG_IP = '127.0.0.90';
const TRUNK_IP = '127.0.0.91';
const PBX_IP = '127.0.0.92';
const STRANGER_IP = '127.0.0.93';

let hg: Holdgate | undefined;
const peers: RawSipPeer[] = [];

afterEach(async () => {
  await hg?.close();
  for (const p of peers.splice(0)) p.close();
});

function invite(from: RawSipPeer): Buffer {
  const body = sdp(from.address, 6000).replace(/\n/g, '\r\n');
  return Buffer.from(
    [
      `INVITE sip:1000@${HG_IP} SIP/2.0`,
      `Via: SIP/2.0/UDP ${from.hostport};branch=z9hG4bK${randomBytes(8).toString('hex')};rport`,
      'Max-Forwards: 70',
      `From: <sip:flood@${from.address}>;tag=${randomBytes(4).toString('hex')}`,
      `To: <sip:1000@${HG_IP}>`,
      `Call-ID: ${randomBytes(8).toString('hex')}`,
      'CSeq: 1 INVITE',
      `Contact: <sip:flood@${from.hostport}>`,
      'Content-Type: application/sdp',
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ].join('\r\n'),
  );
}

async function start(pbxPort: number): Promise<PeerAddress> {
  hg = await startHoldgate(
    validateConfig({
      sip: {
        listen: [{ protocol: 'udp', address: HG_IP, port: 0 }],
        maxDialogs: 50,
        maxTransactions: 300,
        rateLimitPerSource: 200,
        rateLimitBurst: 400,
      },
      recording: { enabled: false },
      acl: { trunks: [`${TRUNK_IP}/32`] },
      queues: [{ name: 'q', match: { requestUser: '.*' }, pbx: { host: PBX_IP, port: pbxPort } }],
    }),
    { logger: silentLogger() },
  );
  const udp = hg.localEndpoints()[0]!;
  return { address: udp.address, port: udp.port };
}

describe('flood bounds', () => {
  it('caps calls, transactions and per-source rate while a trunk floods a silent PBX', async () => {
    const trunk = await RawSipPeer.udp(TRUNK_IP);
    const pbx = await RawSipPeer.udp(PBX_IP);
    peers.push(trunk, pbx);
    const to = await start(pbx.port);
    let maxCalls = 0;
    let maxTransactions = 0;
    for (let i = 0; i < 2000; i++) {
      trunk.sendBytes(invite(trunk), to);
      if (i % 50 === 0) {
        await new Promise((r) => setImmediate(r));
        maxCalls = Math.max(maxCalls, hg!.b2bua.activeCalls);
        maxTransactions = Math.max(maxTransactions, hg!.transactions.size);
      }
    }
    await expect
      .poll(() => trunk.count((m) => m.kind === 'response' && m.status === 503), {
        timeout: 10_000,
      })
      .toBeGreaterThan(1000);
    maxCalls = Math.max(maxCalls, hg!.b2bua.activeCalls);
    maxTransactions = Math.max(maxTransactions, hg!.transactions.size);
    expect(maxCalls).toBeLessThanOrEqual(50);
    expect(maxTransactions).toBeLessThanOrEqual(300);
    const stats = hg!.b2bua.stats;
    expect(
      stats.rejectedRate + stats.rejectedCapacity + hg!.transactions.stats.rejectedAtCap,
    ).toBeGreaterThan(1000);
    // The PBX saw at most one INVITE per admitted call (plus Timer A retransmissions of those).
    const distinctPbxCalls = new Set(
      pbx.log
        .filter((m) => m.kind === 'request' && m.method === 'INVITE')
        .map((m) => m.get('call-id')),
    ).size;
    expect(distinctPbxCalls).toBeLessThanOrEqual(50);
  });

  it('answers 403 to a source outside the ACL and sends nothing to any PBX', async () => {
    const stranger = await RawSipPeer.udp(STRANGER_IP);
    const pbx = await RawSipPeer.udp(PBX_IP);
    peers.push(stranger, pbx);
    const to = await start(pbx.port);
    for (let i = 0; i < 200; i++) stranger.sendBytes(invite(stranger), to);
    await expect
      .poll(() => stranger.count((m) => m.kind === 'response' && m.status === 403), {
        timeout: 5000,
      })
      .toBe(200);
    expect(pbx.log).toHaveLength(0);
    expect(hg!.b2bua.activeCalls).toBe(0);
  });
});
