/**
 * Anchored media end to end (issue 3, Proof "real peers"): scripted SIP peers set up a call
 * through holdgate, plain UDP sockets stand for the phones' RTP. Payloads must arrive bit-exact
 * in both directions, the PBX may send from another port than its SDP says (symmetric latching),
 * and a call whose media stops is torn down with a BYE carrying a Reason on both legs.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Holdgate } from '../src/main.js';
import type { SipMessage } from '../src/sip/message/index.js';
import { parseSdp, remoteMediaTarget } from '../src/sdp/index.js';
import {
  establishCall,
  RawSipPeer,
  rtpSocket,
  sdp,
  type PeerAddress,
} from './peers/raw-sip-peer.js';
import { callFixture } from './peers/call-fixture.js';
import { writeRtpHeader } from '../src/media/rtp/index.js';

const HG_IP = '127.0.0.110';
const CALLER_IP = '127.0.0.111';
const PBX_IP = '127.0.0.112';

const fixture = callFixture({ caller: CALLER_IP, pbx: PBX_IP });
let hg: Holdgate | undefined;

/** An RTP packet: PT 0, the given sequence number, a 160-byte random payload. */
function rtp(seq: number, ssrc: number): Buffer {
  const p = Buffer.alloc(172);
  writeRtpHeader(p, { payloadType: 0, sequence: seq, timestamp: seq * 160, ssrc });
  randomBytes(160).copy(p, 12);
  return p;
}

async function startWithMedia(pbxPort: number, mediaTimeoutSeconds = 30): Promise<PeerAddress> {
  const started = await fixture.start({
    sip: { listen: [{ protocol: 'udp', address: HG_IP, port: 0 }], t1Ms: 100 },
    media: { address: HG_IP, portMin: 41000, portMax: 41099, workers: 1, mediaTimeoutSeconds },
    recording: { enabled: false },
    acl: { trunks: [`${CALLER_IP}/32`] },
    queues: [{ name: 'q', match: { requestUser: '.*' }, pbx: { host: PBX_IP, port: pbxPort } }],
  });
  hg = started.hg;
  return started.to;
}

function mediaOf(m: SipMessage): { address: string; port: number } {
  const t = remoteMediaTarget(parseSdp(m.body), 0);
  return { address: t.address, port: t.rtpPort };
}

async function call(
  caller: RawSipPeer,
  pbx: RawSipPeer,
  to: PeerAddress,
  callerRtpPort: number,
  pbxRtpPort: number,
) {
  const { ok, pbxInvite } = await establishCall(caller, pbx, to, {
    host: HG_IP,
    callerSdp: sdp(CALLER_IP, callerRtpPort),
    pbxSdp: sdp(PBX_IP, pbxRtpPort),
  });
  return { pbxInvite, ok, towardPbx: mediaOf(ok), towardCaller: mediaOf(pbxInvite) };
}

describe('anchored media through holdgate', () => {
  it('rewrites both SDPs to holdgate and relays RTP bit-exact both ways', async () => {
    const { caller, pbx, callerRtp, pbxRtp } = await fixture.phones();
    const to = await startWithMedia(pbx.port);
    const c = await call(caller, pbx, to, callerRtp.address().port, pbxRtp.address().port);
    // Both parties are told to send to holdgate, on different ports of the configured range.
    expect(c.towardCaller.address).toBe(HG_IP);
    expect(c.towardPbx.address).toBe(HG_IP);
    for (const m of [c.towardCaller, c.towardPbx]) {
      expect(m.port).toBeGreaterThanOrEqual(41000);
      expect(m.port).toBeLessThanOrEqual(41099);
    }
    expect(c.pbxInvite.body.toString()).not.toContain(CALLER_IP);
    expect(c.ok.body.toString()).not.toContain(PBX_IP);

    const up = Array.from({ length: 50 }, (_, i) => rtp(1000 + i, 0x11111111));
    const down = Array.from({ length: 50 }, (_, i) => rtp(5000 + i, 0x22222222));
    for (let i = 0; i < 50; i++) {
      callerRtp.send(up[i]!, c.towardPbx.port, HG_IP);
      pbxRtp.send(down[i]!, c.towardCaller.port, HG_IP);
      await new Promise((r) => setTimeout(r, 2));
    }
    await expect.poll(() => pbxRtp.received.length, { timeout: 5000 }).toBe(50);
    await expect.poll(() => callerRtp.received.length, { timeout: 5000 }).toBe(50);
    expect(pbxRtp.received.map((b) => b.toString('hex'))).toEqual(up.map((b) => b.toString('hex')));
    expect(callerRtp.received.map((b) => b.toString('hex'))).toEqual(
      down.map((b) => b.toString('hex')),
    );
  });

  it('latches to the PBX’s real source port when it differs from its SDP', async () => {
    const { caller, pbx, callerRtp, pbxRtp: pbxAnnounced } = await fixture.phones();
    const pbxReal = await rtpSocket(PBX_IP, fixture.closers); // the PBX really sends (and listens) here
    const to = await startWithMedia(pbx.port);
    const c = await call(caller, pbx, to, callerRtp.address().port, pbxAnnounced.address().port);
    for (let i = 0; i < 10; i++) {
      pbxReal.send(rtp(i, 0x33333333), c.towardCaller.port, HG_IP);
      await new Promise((r) => setTimeout(r, 5));
    }
    await expect.poll(() => callerRtp.received.length, { timeout: 5000 }).toBe(10);
    for (let i = 0; i < 10; i++) callerRtp.send(rtp(100 + i, 0x44444444), c.towardPbx.port, HG_IP);
    await expect.poll(() => pbxReal.received.length, { timeout: 5000 }).toBe(10);
    expect(pbxAnnounced.received).toHaveLength(0);
  });

  it('tears the call down with a BYE and a Reason on both legs when the media stops', async () => {
    const { caller, pbx, callerRtp, pbxRtp } = await fixture.phones();
    const to = await startWithMedia(pbx.port, 1);
    const c = await call(caller, pbx, to, callerRtp.address().port, pbxRtp.address().port);
    callerRtp.send(rtp(1, 0x55555555), c.towardPbx.port, HG_IP);
    const [callerBye, pbxBye] = await Promise.all([
      caller.request('BYE', 6000),
      pbx.request('BYE', 6000),
    ]);
    expect(callerBye.get('reason')).toMatch(/media timeout/);
    expect(pbxBye.get('reason')).toMatch(/media timeout/);
    await expect.poll(() => hg!.b2bua.activeCalls).toBe(0);
  });
});
