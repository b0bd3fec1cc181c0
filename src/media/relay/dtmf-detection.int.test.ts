import { createSocket, type Socket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DtmfDigit } from '../dtmf/dtmf-digit.js';
import { writeTelephoneEventPacket } from '../dtmf/rfc4733.js';
import { encodeInto } from '../g711/index.js';
import { writeRtpHeader } from '../rtp/index.js';
import type { DtmfDetectedEvent, SessionPorts } from './control-protocol.js';
import { MediaController } from './media-controller.js';

// Issue 6: DTMF detection in the media worker, over real UDP through a real MediaController.

const RELAY = '127.0.0.60';
const CALLER = '127.0.0.61';
const PBX = '127.0.0.62';
const TE_PT = 101;
const FRAME = 160; // 20 ms at 8 kHz
const DBM0 = 22334; // peak of a 0 dBm0 sine in G.711's PCM16 scale
const FREQ: Record<DtmfDigit, readonly [number, number]> = {
  '1': [697, 1209], '2': [697, 1336], '3': [697, 1477], A: [697, 1633],
  '4': [770, 1209], '5': [770, 1336], '6': [770, 1477], B: [770, 1633],
  '7': [852, 1209], '8': [852, 1336], '9': [852, 1477], C: [852, 1633],
  '*': [941, 1209], '0': [941, 1336], '#': [941, 1477], D: [941, 1633],
}; // prettier-ignore

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(5);
  }
}

/** One key press in a timeline of 20 ms frames. */
interface Press {
  digit: DtmfDigit;
  startFrame: number;
  frames: number;
}

interface Forms {
  /** Send G.711 audio (µ-law) every frame; with `tone`, the presses are in it as DTMF tones. */
  audio: boolean;
  tone: boolean;
  /** Send RFC 4733 events for the presses (three end packets unless `endRepeats`). */
  events: boolean;
  endRepeats?: number;
}

/** Renders the presses as Q.23 tone pairs (−10/−8 dBm0) into µ-law-ready PCM16. */
function renderTones(totalFrames: number, presses: readonly Press[]): Int16Array {
  const pcm = new Int16Array(totalFrames * FRAME);
  for (const p of presses) {
    const [fr, fc] = FREQ[p.digit];
    const ar = DBM0 * 10 ** (-10 / 20);
    const ac = DBM0 * 10 ** (-8 / 20);
    for (let i = 0; i < p.frames * FRAME; i++) {
      const t = i / 8000;
      pcm[p.startFrame * FRAME + i] = Math.round(
        ar * Math.sin(2 * Math.PI * fr * t) + ac * Math.sin(2 * Math.PI * fc * t + 1),
      );
    }
  }
  return pcm;
}

/**
 * The caller's RTP stream (one SSRC, one sequence space, one 8 kHz timestamp clock for audio
 * and events, as RFC 4733 §2.1 has it): per 20 ms slot, the packets to send. Long events are
 * cut into segments of at most 0xFFFF units (RFC 4733 §2.5.1.3).
 */
function stream(
  totalFrames: number,
  presses: readonly Press[],
  forms: Forms,
  ssrc = 0x5eed,
  ts0 = 48_000,
): Buffer[][] {
  const pcm = forms.tone ? renderTones(totalFrames, presses) : new Int16Array(totalFrames * FRAME);
  const slots: Buffer[][] = Array.from({ length: totalFrames }, () => []);
  let seq = 1000;
  const header = (buf: Buffer, pt: number, ts: number, marker: boolean): void => {
    writeRtpHeader(buf, { payloadType: pt, sequence: seq++ & 0xffff, timestamp: ts, ssrc, marker });
  };
  for (let f = 0; f < totalFrames; f++) {
    if (forms.audio) {
      const buf = Buffer.alloc(12 + FRAME);
      header(buf, 0, (ts0 + f * FRAME) >>> 0, false);
      encodeInto(pcm, f * FRAME, FRAME, buf, 'ulaw', 12);
      slots[f]!.push(buf);
    }
    if (!forms.events) continue;
    for (const p of presses) {
      const k = f - p.startFrame;
      if (k < 0 || k >= p.frames) continue;
      const start = ts0 + p.startFrame * FRAME;
      const last = k === p.frames - 1;
      const elapsed = (k + 1) * FRAME;
      const segStart = Math.floor((elapsed - 1) / 0xffff) * 0xffff;
      for (let r = 0; r < (last ? (forms.endRepeats ?? 3) : 1); r++) {
        const buf = Buffer.alloc(16);
        writeTelephoneEventPacket(
          buf,
          { payloadType: TE_PT, sequence: seq++ & 0xffff, timestamp: (start + segStart) >>> 0, ssrc, marker: k === 0 },
          { event: p.digit, end: last, volume: 10, duration: elapsed - segStart },
        ); // prettier-ignore
        slots[f]!.push(buf);
      }
    }
  }
  return slots;
}

describe('DTMF detection in the media worker (issue 6, real sockets)', () => {
  let media: MediaController;
  const events: DtmfDetectedEvent[] = [];
  const sockets: Socket[] = [];

  beforeAll(async () => {
    media = await MediaController.start({
      portMin: 32000,
      portMax: 32099,
      workers: 1,
      tickMs: 50,
      mediaTimeoutMs: 60_000,
      quarantineMs: 0,
    });
    media.on('dtmf', (e) => events.push(e));
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await media.close();
  });

  async function udp(address: string): Promise<{ socket: Socket; port: number; got: Buffer[] }> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, address, resolve));
    sockets.push(socket);
    const got: Buffer[] = [];
    socket.on('message', (m) => got.push(m));
    return { socket, port: socket.address().port, got };
  }

  /** A session whose caller offered PCMU + telephone-event/8000 (unless `te` is false). */
  async function call(opts: { te?: boolean; pbx?: boolean } = {}): Promise<{
    s: SessionPorts;
    send: (slots: Buffer[][], paceMs?: number) => Promise<number[]>;
    pbxGot: Buffer[];
    mine: () => DtmfDetectedEvent[];
  }> {
    const caller = await udp(CALLER);
    const pbx = await udp(PBX);
    const s = await media.createSession({
      callId: 'dtmf',
      legs: { caller: { localAddress: RELAY }, pbx: { localAddress: RELAY } },
    });
    await media.setRemote(s.sessionId, 'caller', {
      address: CALLER,
      rtpPort: caller.port,
      payloadTypes: [
        { pt: 0, encoding: 'PCMU', clockRate: 8000 },
        ...(opts.te === false ? [] : [{ pt: TE_PT, encoding: 'telephone-event', clockRate: 8000 }]),
      ],
      ...(opts.te === false ? {} : { telephoneEventPt: TE_PT }),
    });
    if (opts.pbx !== false) {
      await media.setRemote(s.sessionId, 'pbx', { address: PBX, rtpPort: pbx.port });
    }
    /** Sends slot by slot, `paceMs` apart; returns each slot's send time (epoch ms). */
    const send = async (slots: Buffer[][], paceMs = 20): Promise<number[]> => {
      const at: number[] = [];
      const t0 = performance.now();
      for (const [i, slot] of slots.entries()) {
        const due = t0 + i * paceMs;
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
        at.push(Date.now());
        for (const b of slot) caller.socket.send(b, s.caller.rtpPort, RELAY);
      }
      return at;
    };
    const mine = (): DtmfDetectedEvent[] => events.filter((e) => e.sessionId === s.sessionId);
    return { s, send, pbxGot: pbx.got, mine };
  }

  it('(a) RFC 4733 digit 9 with three end packets → one event, while the PBX leg has no remote', async () => {
    const { s, send, pbxGot, mine } = await call({ pbx: false });
    await media.detectDtmf(s.sessionId, 'caller', true);
    const at = await send(stream(10, [{ digit: '9', startFrame: 2, frames: 5 }], { audio: true, tone: false, events: true })); // prettier-ignore
    await until(() => mine().length >= 1);
    await sleep(400); // longer than the idle flush: nothing more may come
    const got = mine();
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ leg: 'caller', digit: '9', source: 'rfc4733', durationMs: 100 });
    expect(Math.abs(got[0]!.atMs - at[2]!)).toBeLessThan(60);
    // Nothing was forwarded (no PBX address yet): detection saw packets the relay dropped.
    expect(pbxGot).toHaveLength(0);
    expect((await media.stats(s.sessionId))['caller-to-pbx'].dropped).toBe(10 + 7);
    await media.destroySession(s.sessionId);
  });

  it('(b) a long press split into segments (§2.5.1.3) counts once, with its whole duration', async () => {
    const { s, send, mine } = await call();
    await media.detectDtmf(s.sessionId, 'caller', true);
    // 10 s at 8 kHz = 80000 units: a second segment after 0xFFFF. Sent faster than real time.
    const slots = stream(520, [{ digit: '5', startFrame: 10, frames: 500 }], { audio: false, tone: false, events: true }); // prettier-ignore
    await send(slots, 1);
    await until(() => mine().length >= 1);
    await sleep(400);
    const got = mine();
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ digit: '5', source: 'rfc4733', durationMs: 10_000 });
    await media.destroySession(s.sessionId);
  });

  it('(c) a burst "1","2","3" with short gaps → three events in order', async () => {
    const { s, send, mine } = await call();
    await media.detectDtmf(s.sessionId, 'caller', true);
    const presses: Press[] = [
      { digit: '1', startFrame: 1, frames: 4 },
      { digit: '2', startFrame: 7, frames: 4 },
      { digit: '3', startFrame: 13, frames: 3 },
    ];
    const at = await send(stream(20, presses, { audio: true, tone: false, events: true }));
    await until(() => mine().length >= 3);
    await sleep(400);
    const got = mine();
    expect(got.map((e) => e.digit)).toEqual(['1', '2', '3']);
    expect(got.map((e) => e.durationMs)).toEqual([80, 80, 60]);
    for (const [i, p] of presses.entries()) {
      expect(Math.abs(got[i]!.atMs - at[p.startFrame]!)).toBeLessThan(60);
    }
    await media.destroySession(s.sessionId);
  });

  it('(d) in-band µ-law tones "#" and "9" → one event each, while a prompt plays to the caller', async () => {
    const { s, send, mine } = await call({ te: false });
    await media.detectDtmf(s.sessionId, 'caller', true);
    const prompt = Array.from({ length: 40 }, () => new Uint8Array(FRAME).fill(0xff));
    const playing = media.playToLeg(s.sessionId, 'caller', prompt);
    const presses: Press[] = [
      { digit: '#', startFrame: 5, frames: 5 },
      { digit: '9', startFrame: 15, frames: 5 },
    ];
    const at = await send(stream(25, presses, { audio: true, tone: true, events: false }));
    await until(() => mine().length >= 2);
    await sleep(400);
    const got = mine();
    expect(got.map((e) => [e.digit, e.source])).toEqual([
      ['#', 'inband'],
      ['9', 'inband'],
    ]);
    for (const [i, p] of presses.entries()) {
      expect(Math.abs(got[i]!.durationMs - 100)).toBeLessThanOrEqual(10);
      expect(Math.abs(got[i]!.atMs - at[p.startFrame]!)).toBeLessThan(60);
    }
    expect((await playing).interrupted).toBe(false);
    await media.destroySession(s.sessionId);
  });

  it('(e) RFC 4733 events and the same tone in the audio → one event per press', async () => {
    const { s, send, mine } = await call();
    await media.detectDtmf(s.sessionId, 'caller', true);
    const both = { audio: true, tone: true, events: true };
    await send(stream(16, [{ digit: '4', startFrame: 3, frames: 6 }], both));
    await until(() => mine().length >= 1);
    await sleep(400);
    expect(mine().map((e) => [e.digit, e.source])).toEqual([['4', 'rfc4733']]);
    // The stream is known to carry events now: a tone alone is not reported (the documented rule).
    await send(stream(12, [{ digit: '7', startFrame: 2, frames: 5 }], { ...both, events: false }));
    await sleep(400);
    expect(mine()).toHaveLength(1);
    await media.destroySession(s.sessionId);
  });

  it('(e) in-band first, the late RFC 4733 events of the same press after → still one event', async () => {
    const { s, send, mine } = await call();
    await media.detectDtmf(s.sessionId, 'caller', true);
    const press = [{ digit: '8' as const, startFrame: 3, frames: 5 }];
    const audio = stream(12, press, { audio: true, tone: true, events: false }, 0xabc);
    const late = stream(12, press, { audio: false, tone: false, events: true }, 0xabc);
    await send(audio);
    await until(() => mine().length >= 1);
    await send(late, 5);
    await sleep(400);
    expect(mine().map((e) => [e.digit, e.source])).toEqual([['8', 'inband']]);
    // A different, later press by events alone is still reported.
    await send(stream(20, [{ digit: '2', startFrame: 14, frames: 4 }], { audio: false, tone: false, events: true }, 0xabc), 5); // prettier-ignore
    await until(() => mine().length >= 2);
    expect(mine().map((e) => e.digit)).toEqual(['8', '2']);
    await media.destroySession(s.sessionId);
  });

  it('(f) detection off, never on or switched off → no events', async () => {
    const never = await call();
    const off = await call();
    await media.detectDtmf(off.s.sessionId, 'caller', true);
    await media.detectDtmf(off.s.sessionId, 'caller', false);
    await media.detectDtmf(never.s.sessionId, 'pbx', true); // the other leg's audio is not watched
    const presses: Press[] = [{ digit: '6', startFrame: 2, frames: 5 }];
    const both = { audio: true, tone: true, events: true };
    await Promise.all([never.send(stream(12, presses, both)), off.send(stream(12, presses, both))]);
    await sleep(500);
    expect(never.mine()).toHaveLength(0);
    expect(off.mine()).toHaveLength(0);
    await media.destroySession(never.s.sessionId);
    await media.destroySession(off.s.sessionId);
  });

  it('a press whose end packets are lost is flushed by the idle timer, off, or destroy', async () => {
    const noEnd = { audio: false, tone: false, events: true, endRepeats: 0 };
    const idle = await call();
    await media.detectDtmf(idle.s.sessionId, 'caller', true);
    await idle.send(stream(8, [{ digit: '0', startFrame: 1, frames: 6 }], noEnd));
    await sleep(100);
    expect(idle.mine()).toHaveLength(0); // still pending
    await until(() => idle.mine().length === 1, 1500);
    expect(idle.mine()[0]).toMatchObject({ digit: '0', source: 'rfc4733', durationMs: 100 });

    const off = await call();
    await media.detectDtmf(off.s.sessionId, 'caller', true);
    await off.send(stream(8, [{ digit: '*', startFrame: 1, frames: 6 }], noEnd), 5);
    await media.detectDtmf(off.s.sessionId, 'caller', false);
    await until(() => off.mine().length === 1, 500);
    expect(off.mine()[0]!.digit).toBe('*');

    const gone = await call();
    await media.detectDtmf(gone.s.sessionId, 'caller', true);
    await gone.send(stream(8, [{ digit: 'D', startFrame: 1, frames: 6 }], noEnd), 5);
    await media.destroySession(gone.s.sessionId);
    await until(() => gone.mine().length === 1, 500);
    expect(gone.mine()[0]!.digit).toBe('D');
    await media.destroySession(idle.s.sessionId);
    await media.destroySession(off.s.sessionId);
  });
});
