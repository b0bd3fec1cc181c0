import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ULAW_TO_PCM16 } from '../g711/index.js';
import { rtpMarker, rtpPayloadType, rtpSequence, rtpSsrc, rtpTimestamp } from '../rtp/index.js';
import type { SessionPorts } from './control-protocol.js';
import { MediaController } from './media-controller.js';

const RELAY = '127.0.0.40';
const CALLER = '127.0.0.41';
const PBX = '127.0.0.42';

interface Peer {
  readonly socket: Socket;
  readonly port: number;
  readonly received: Buffer[];
  readonly from: RemoteInfo[];
}

async function peer(address: string): Promise<Peer> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, address, resolve));
  const p: Peer = { socket, port: socket.address().port, received: [], from: [] };
  socket.on('message', (m, r) => {
    p.received.push(m);
    p.from.push(r);
  });
  return p;
}

function rtp(seq: number, ts: number, ssrc: number, payload: Uint8Array, pt = 0): Buffer {
  const b = Buffer.alloc(12 + payload.length);
  b[0] = 0x80;
  b[1] = pt;
  b.writeUInt16BE(seq & 0xffff, 2);
  b.writeUInt32BE(ts >>> 0, 4);
  b.writeUInt32BE(ssrc >>> 0, 8);
  b.set(payload, 12);
  return b;
}

function payload(seed: number, len = 160): Uint8Array {
  const p = new Uint8Array(len);
  for (let i = 0; i < len; i++) p[i] = (seed * 31 + i * 7) & 0xff;
  return p;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(5);
  }
}

describe('RTP relay through media workers (real sockets)', () => {
  let media: MediaController;
  const closers: Socket[] = [];

  beforeAll(async () => {
    media = await MediaController.start({
      portMin: 30000,
      portMax: 30999,
      workers: 1,
      tickMs: 50,
      mediaTimeoutMs: 60_000,
      quarantineMs: 0,
      tapCapacityFrames: 4,
    });
  });
  afterAll(async () => {
    for (const s of closers) s.close();
    await media.close();
  });

  async function call(): Promise<{ s: SessionPorts; caller: Peer; pbx: Peer }> {
    const caller = await peer(CALLER);
    const pbx = await peer(PBX);
    closers.push(caller.socket, pbx.socket);
    const s = await media.createSession({
      callId: 'c1',
      legs: { caller: { localAddress: RELAY }, pbx: { localAddress: RELAY } },
    });
    await media.setRemote(s.sessionId, 'caller', { address: CALLER, rtpPort: caller.port });
    await media.setRemote(s.sessionId, 'pbx', { address: PBX, rtpPort: pbx.port });
    return { s, caller, pbx };
  }

  it('relays RTP both ways bit-exact, caller port → PBX and PBX port → caller', async () => {
    const { s, caller, pbx } = await call();
    expect(s.caller.rtpPort % 2).toBe(0);
    expect(s.caller.rtcpPort).toBe(s.caller.rtpPort + 1);
    const up: Buffer[] = [];
    const down: Buffer[] = [];
    for (let i = 0; i < 20; i++) {
      up.push(rtp(100 + i, 160 * i, 0x1111, payload(i)));
      down.push(rtp(500 + i, 8000 + 160 * i, 0x2222, payload(100 + i)));
      caller.socket.send(up[i]!, s.caller.rtpPort, RELAY);
      pbx.socket.send(down[i]!, s.pbx.rtpPort, RELAY);
    }
    await until(() => pbx.received.length === 20 && caller.received.length === 20);
    expect(pbx.received).toEqual(up);
    expect(caller.received).toEqual(down);
    // Each side hears the relay from the port facing it.
    expect(pbx.from.every((r) => r.port === s.pbx.rtpPort && r.address === RELAY)).toBe(true);
    expect(caller.from.every((r) => r.port === s.caller.rtpPort)).toBe(true);
    const st = await media.stats(s.sessionId);
    expect(st['caller-to-pbx'].packets).toBe(20);
    expect(st['caller-to-pbx'].bytes).toBe(20 * 172);
    expect(st['pbx-to-caller'].ssrc).toBe(0x2222);
    expect(st['caller-to-pbx'].lost).toBe(0);
    await media.destroySession(s.sessionId);
  });

  it('counts loss from sequence gaps', async () => {
    const { s, caller, pbx } = await call();
    for (const i of [0, 1, 2, 5, 6, 7]) {
      caller.socket.send(rtp(i, i * 160, 7, payload(i)), s.caller.rtpPort, RELAY);
    }
    await until(() => pbx.received.length === 6);
    expect((await media.stats(s.sessionId))['caller-to-pbx'].lost).toBe(2);
    await media.destroySession(s.sessionId);
  });

  it('symmetric latching follows the PBX real source; strict drops it', async () => {
    const { s, caller, pbx } = await call();
    const natted = await peer(PBX); // the PBX sends from a port its SDP did not announce
    closers.push(natted.socket);
    natted.socket.send(rtp(1, 0, 9, payload(1)), s.pbx.rtpPort, RELAY);
    await until(() => caller.received.length === 1);
    caller.socket.send(rtp(1, 0, 8, payload(2)), s.caller.rtpPort, RELAY);
    await until(() => natted.received.length === 1);
    expect(pbx.received).toHaveLength(0); // sent back to the latched source, not the SDP port
    expect((await media.stats(s.sessionId)).latched.pbx).toEqual({
      address: PBX,
      port: natted.port,
    });

    await media.setLatching(s.sessionId, 'strict');
    natted.socket.send(rtp(2, 160, 9, payload(3)), s.pbx.rtpPort, RELAY);
    pbx.socket.send(rtp(3, 320, 9, payload(4)), s.pbx.rtpPort, RELAY);
    await until(() => caller.received.length === 2);
    await sleep(50);
    expect(caller.received).toHaveLength(2);
    expect(caller.received[1]!.subarray(12)).toEqual(Buffer.from(payload(4)));
    caller.socket.send(rtp(2, 160, 8, payload(5)), s.caller.rtpPort, RELAY);
    await until(() => pbx.received.length === 1); // strict sends to the SDP address
    expect((await media.stats(s.sessionId))['pbx-to-caller'].dropped).toBe(1);
    await media.destroySession(s.sessionId);
  });

  it('relays RTCP on the odd ports and muxed on the RTP port (RFC 5761)', async () => {
    const { s, caller, pbx } = await call();
    const callerRtcp = await peer(CALLER);
    const pbxRtcp = await peer(PBX);
    closers.push(callerRtcp.socket, pbxRtcp.socket);
    await media.setRemote(s.sessionId, 'caller', {
      address: CALLER,
      rtpPort: caller.port,
      rtcpPort: callerRtcp.port,
    });
    await media.setRemote(s.sessionId, 'pbx', {
      address: PBX,
      rtpPort: pbx.port,
      rtcpMux: true,
    });
    const rr = Buffer.from([0x80, 201, 0, 1, 0, 0, 0x12, 0x34]);
    callerRtcp.socket.send(rr, s.caller.rtcpPort, RELAY);
    await until(() => pbx.received.length === 1); // muxed: onto the PBX's RTP port
    expect(pbx.received[0]).toEqual(rr);
    expect(pbx.from[0]!.port).toBe(s.pbx.rtpPort);
    pbx.socket.send(rtp(1, 0, 5, payload(1)), s.pbx.rtpPort, RELAY); // latch the PBX source
    const sr = Buffer.alloc(28);
    sr[0] = 0x80;
    sr[1] = 200;
    sr[3] = 6;
    pbx.socket.send(sr, s.pbx.rtpPort, RELAY);
    await until(() => callerRtcp.received.length === 1);
    expect(callerRtcp.received[0]).toEqual(sr);
    expect(callerRtcp.from[0]!.port).toBe(s.caller.rtcpPort);
    expect(caller.received).toHaveLength(1); // only the RTP packet
    const st = await media.stats(s.sessionId);
    expect(st['caller-to-pbx'].rtcpPackets).toBe(1);
    expect(st['pbx-to-caller'].rtcpPackets).toBe(1);
    await media.destroySession(s.sessionId);
  });

  it('taps deliver decoded 20 ms frames in order, across short packets, and count drops', async () => {
    const { s, caller, pbx } = await call();
    const tap = await media.openTap(s.sessionId, 'caller-to-pbx');
    // 160 + 12 + 160 bytes: Asterisk's short packet at a prompt/music switch.
    const sizes = [160, 12, 160];
    let ts = 1000;
    const sent: number[] = [];
    for (let i = 0; i < sizes.length; i++) {
      const p = payload(i, sizes[i]);
      sent.push(...p);
      caller.socket.send(rtp(i, ts, 0xabc, p), s.caller.rtpPort, RELAY);
      ts += sizes[i]!;
    }
    await until(() => pbx.received.length === 3);
    const pcm = new Int16Array(160);
    const f1 = tap.read(pcm);
    expect(f1).not.toBeNull();
    expect(f1!.rtpTimestamp).toBe(1000);
    expect(f1!.samples).toBe(160);
    expect(Array.from(pcm)).toEqual(sent.slice(0, 160).map((b) => ULAW_TO_PCM16[b]));
    const f2 = tap.read(pcm);
    expect(f2!.rtpTimestamp).toBe(1160);
    expect(f2!.ssrc).toBe(0xabc);
    expect(Array.from(pcm)).toEqual(sent.slice(160, 320).map((b) => ULAW_TO_PCM16[b]));
    expect(tap.read(pcm)).toBeNull(); // 12 samples still staged
    expect(tap.unrecordable).toBe(false);

    // Nobody reads: a 4-frame ring keeps 4 and counts the rest as dropped.
    for (let i = 0; i < 10; i++) {
      caller.socket.send(rtp(3 + i, ts, 0xabc, payload(9, 160)), s.caller.rtpPort, RELAY);
      ts += 160;
    }
    await until(() => pbx.received.length === 13);
    expect(tap.available).toBe(4);
    expect(tap.dropped).toBe(6);

    // A non-G.711 payload is relayed but makes the direction unrecordable.
    caller.socket.send(rtp(13, ts, 0xabc, payload(1, 40), 18), s.caller.rtpPort, RELAY);
    await until(() => pbx.received.length === 14);
    expect(tap.unrecordable).toBe(true);
    await media.destroySession(s.sessionId);
    expect(tap.closed).toBe(true);
  });

  it('continuity rewrite keeps one SSRC and continuous seq/ts across a source switch', async () => {
    const { s, caller, pbx } = await call();
    await media.setContinuityRewrite(s.sessionId, true);
    // Queue music (SSRC A) with a short last packet, then the agent (SSRC B, new bases).
    pbx.socket.send(rtp(10, 5000, 0xa, payload(1)), s.pbx.rtpPort, RELAY);
    pbx.socket.send(rtp(11, 5160, 0xa, payload(2, 12)), s.pbx.rtpPort, RELAY);
    await until(() => caller.received.length === 2);
    pbx.socket.send(rtp(40000, 90000, 0xb, payload(3)), s.pbx.rtpPort, RELAY);
    pbx.socket.send(rtp(40001, 90160, 0xb, payload(4)), s.pbx.rtpPort, RELAY);
    await until(() => caller.received.length === 4);
    const got = caller.received;
    expect(got.map((b) => rtpSsrc(b))).toEqual([0xa, 0xa, 0xa, 0xa]);
    expect(got.map((b) => rtpSequence(b))).toEqual([10, 11, 12, 13]);
    // +12 after the short packet, not +160.
    expect(got.map((b) => rtpTimestamp(b))).toEqual([5000, 5160, 5172, 5332]);
    expect(rtpMarker(got[2]!)).toBe(true);
    expect(got[3]!.subarray(12)).toEqual(Buffer.from(payload(4)));
    const st = await media.stats(s.sessionId);
    expect(st['pbx-to-caller'].ssrcChanges).toBe(1);
    await media.destroySession(s.sessionId);
  });

  it('a prompt replaces the PBX audio toward the caller, paced and continuous', async () => {
    const { s, caller, pbx } = await call();
    pbx.socket.send(rtp(100, 16000, 0x77, payload(1)), s.pbx.rtpPort, RELAY);
    await until(() => caller.received.length === 1);
    const prompt = [payload(50), payload(51), payload(52), payload(53, 80)];
    const started = performance.now();
    const playing = media.playToLeg(s.sessionId, 'caller', prompt, { payloadType: 0 });
    await sleep(10);
    pbx.socket.send(rtp(101, 16160, 0x77, payload(2)), s.pbx.rtpPort, RELAY); // replaced
    const result = await playing;
    const took = performance.now() - started;
    expect(result).toEqual({ packetsSent: 4, interrupted: false });
    expect(took).toBeGreaterThanOrEqual(65); // 3 × 20 ms + 10 ms
    pbx.socket.send(rtp(102, 16320, 0x77, payload(3)), s.pbx.rtpPort, RELAY);
    await until(() => caller.received.length === 6);
    const got = caller.received;
    expect(got.slice(1, 5).map((b) => Buffer.from(b.subarray(12)))).toEqual(
      prompt.map((p) => Buffer.from(p)),
    );
    expect(got.map((b) => rtpSequence(b))).toEqual([100, 101, 102, 103, 104, 105]);
    expect(got.map((b) => rtpSsrc(b))).toEqual(new Array(6).fill(0x77));
    expect(got.map((b) => rtpTimestamp(b)).slice(0, 5)).toEqual([
      16000, 16160, 16320, 16480, 16640,
    ]);
    expect(rtpTimestamp(got[5]!)).toBeGreaterThanOrEqual(16720); // after the 80-sample packet
    expect(rtpMarker(got[1]!)).toBe(true);
    expect(rtpPayloadType(got[1]!)).toBe(0);
    expect(got[5]!.subarray(12)).toEqual(Buffer.from(payload(3)));
    await media.destroySession(s.sessionId);
  });

  it('media timeout fires when no RTP flows in either direction', async () => {
    const { s, caller } = await call();
    await media.destroySession(s.sessionId);
    const timedOut: string[] = [];
    media.on('mediaTimeout', (id) => timedOut.push(id));
    const quiet = await media.createSession({
      callId: 'quiet',
      mediaTimeoutMs: 200,
      legs: { caller: { localAddress: RELAY }, pbx: { localAddress: RELAY } },
    });
    const busy = await media.createSession({
      callId: 'busy',
      mediaTimeoutMs: 200,
      legs: { caller: { localAddress: RELAY }, pbx: { localAddress: RELAY } },
    });
    const t0 = performance.now();
    for (let i = 0; i < 30; i++) {
      caller.socket.send(rtp(i, i * 160, 1, payload(i)), busy.caller.rtpPort, RELAY);
      await sleep(15);
    }
    expect(timedOut).toEqual([quiet.sessionId]); // the busy one stays alive
    expect(performance.now() - t0).toBeGreaterThan(200);
    await until(() => timedOut.length === 2, 1000);
    expect(timedOut[1]).toBe(busy.sessionId);
    await media.destroySession(quiet.sessionId);
    await media.destroySession(busy.sessionId);
  });

  it('destroy is idempotent and stops relaying', async () => {
    const { s, caller, pbx } = await call();
    await media.destroySession(s.sessionId);
    await media.destroySession(s.sessionId);
    await media.destroySession('never-existed');
    caller.socket.send(rtp(1, 0, 1, payload(1)), s.caller.rtpPort, RELAY);
    await sleep(50);
    expect(pbx.received).toHaveLength(0);
    await expect(media.stats(s.sessionId)).rejects.toMatchObject({ code: 'HG_ERR_MEDIA_WORKER' });
  });

  it('a crashed worker reports its sessions lost and is replaced', async () => {
    const { s } = await call();
    const tap = await media.openTap(s.sessionId, 'pbx-to-caller');
    const lost: string[] = [];
    const errors: number[] = [];
    media.on('sessionLost', (id) => lost.push(id));
    media.on('workerError', (index) => errors.push(index));
    media.crashWorkerForTest(0);
    await until(() => lost.includes(s.sessionId), 5000);
    expect(errors).toEqual([0]);
    expect(tap.closed).toBe(true);
    await media.destroySession(s.sessionId); // still fine
    const again = await call(); // the replacement worker serves new calls
    again.caller.socket.send(rtp(1, 0, 1, payload(1)), again.s.caller.rtpPort, RELAY);
    await until(() => again.pbx.received.length === 1, 5000);
    await media.destroySession(again.s.sessionId);
  });
});
