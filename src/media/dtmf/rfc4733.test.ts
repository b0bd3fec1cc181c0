import { describe, it, expect } from 'vitest';
import { rtpPayloadLength } from '../rtp/rtp-header.js';
import type { DtmfDigit, DtmfEvent } from './dtmf-digit.js';
import {
  TelephoneEventReceiver,
  encodeTelephoneEvent,
  writeTelephoneEventPacket,
} from './rfc4733.js';

const PT = 101;

interface Pkt {
  buf: Buffer;
}

/**
 * Simulates an RFC 4733 sender: packets every `ptimeMs`, duration growing, three end packets,
 * long events split into segments of at most 0xFFFF units (§2.5.1.3).
 */
function sendEvent(
  digit: DtmfDigit,
  startTs: number,
  durationMs: number,
  rate: number,
  opts: { ptimeMs?: number; endRepeats?: number; seq?: number; segments?: boolean } = {},
): Pkt[] {
  const step = ((opts.ptimeMs ?? 20) * rate) / 1000;
  const total = (durationMs * rate) / 1000;
  const out: Pkt[] = [];
  let seq = opts.seq ?? 1;
  let segStart = 0;
  const packet = (elapsed: number, end: boolean): void => {
    if (opts.segments !== false && elapsed - segStart > 0xffff) segStart += 0xffff;
    const buf = Buffer.alloc(16);
    writeTelephoneEventPacket(
      buf,
      {
        payloadType: PT,
        sequence: seq++ & 0xffff,
        timestamp: (startTs + segStart) >>> 0,
        ssrc: 42,
        marker: elapsed === step,
      },
      { event: digit, end, volume: 10, duration: (elapsed - segStart) & 0xffff },
    );
    out.push({ buf });
  };
  for (let e = step; e < total; e += step) packet(e, false);
  for (let i = 0; i < (opts.endRepeats ?? 3); i++) packet(total, true);
  return out;
}

function audio(ts: number): Buffer {
  const buf = Buffer.alloc(172, 0xff);
  buf[0] = 0x80;
  buf[1] = 0;
  buf.writeUInt32BE(ts >>> 0, 4);
  return buf;
}

function receiver(rate = 8000): { rx: TelephoneEventReceiver; events: DtmfEvent[] } {
  const events: DtmfEvent[] = [];
  const rx = new TelephoneEventReceiver({
    payloadType: PT,
    clockRate: rate,
    onEvent: (e) => events.push(e),
  });
  return { rx, events };
}

const feed = (rx: TelephoneEventReceiver, pkts: Pkt[]): void => {
  for (const p of pkts) rx.push(p.buf, p.buf.length);
};

describe('encodeTelephoneEvent (RFC 4733 §2.3)', () => {
  it('writes event, E bit, volume and duration', () => {
    const b = Buffer.alloc(4);
    encodeTelephoneEvent(b, { event: '#', end: true, volume: 10, duration: 800 });
    expect([...b]).toEqual([11, 0x8a, 0x03, 0x20]);
    encodeTelephoneEvent(b, { event: 16, end: false, volume: 63, duration: 0xffff });
    expect([...b]).toEqual([16, 0x3f, 0xff, 0xff]);
    const pkt = Buffer.alloc(16);
    expect(
      writeTelephoneEventPacket(
        pkt,
        { payloadType: PT, sequence: 1, timestamp: 2, ssrc: 3 },
        { event: 'D', end: false, volume: 0, duration: 0 },
      ),
    ).toBe(16);
    expect(rtpPayloadLength(pkt, 16)).toBe(4);
    expect(pkt[12]).toBe(15);
  });
});

describe('TelephoneEventReceiver (RFC 4733 §2.5)', () => {
  it('reports each of the 16 digits once, redundant end packets counted once', () => {
    const { rx, events } = receiver();
    const digits: DtmfDigit[] = [
      '0',
      '1',
      '2',
      '3',
      '4',
      '5',
      '6',
      '7',
      '8',
      '9',
      '*',
      '#',
      'A',
      'B',
      'C',
      'D',
    ];
    digits.forEach((d, i) => feed(rx, sendEvent(d, 1000 + i * 4000, 100, 8000)));
    rx.flush();
    expect(events.map((e) => e.digit)).toEqual(digits);
    expect(events.every((e) => e.durationMs === 100 && e.volume === 10)).toBe(true);
    expect(events[1]!.startTs).toBe(5000);
  });

  it.each([8000, 16000, 48000])('computes durations from a %i Hz clock', (rate) => {
    const { rx, events } = receiver(rate);
    feed(rx, sendEvent('7', 123456, 240, rate));
    expect(events).toHaveLength(1);
    expect(events[0]!.durationMs).toBe(240);
  });

  it('measures `at` on the stream clock set by the audio packets', () => {
    const { rx, events } = receiver();
    expect(rx.push(audio(1000), 172)).toBe(false);
    feed(rx, sendEvent('1', 1000 + 8000, 100, 8000));
    expect(events[0]!.at).toBe(1000);
  });

  it('counts an event seen only through its end packet', () => {
    const { rx, events } = receiver();
    const pkts = sendEvent('9', 5000, 160, 8000);
    feed(rx, pkts.slice(-2)); // the first end packet and everything before it lost
    expect(events).toMatchObject([{ digit: '9', durationMs: 160, startTs: 5000 }]);
  });

  it('reports an event whose end packets were all lost when the next starts, or on flush', () => {
    const { rx, events } = receiver();
    feed(rx, sendEvent('4', 1000, 200, 8000, { endRepeats: 0 }));
    expect(events).toHaveLength(0);
    feed(rx, sendEvent('4', 4000, 100, 8000, { endRepeats: 0 }));
    expect(events).toMatchObject([{ digit: '4', durationMs: 180 }]);
    rx.flush();
    rx.flush();
    expect(events).toHaveLength(2);
  });

  it('tolerates reordering and late duplicates', () => {
    const { rx, events } = receiver();
    const a = sendEvent('2', 1000, 100, 8000);
    const b = sendEvent('3', 3000, 100, 8000);
    // An end packet overtakes a middle packet; a's last end packet arrives after b started.
    const order = [a[0]!, a[1]!, a[4]!, a[2]!, a[3]!, a[5]!, b[0]!, a[6]!, ...b.slice(1), a[4]!];
    feed(rx, order);
    expect(events.map((e) => `${e.digit}:${e.durationMs}`)).toEqual(['2:100', '3:100']);
  });

  it('reports the same digit pressed twice as two events', () => {
    const { rx, events } = receiver();
    feed(rx, sendEvent('5', 1000, 100, 8000));
    feed(rx, sendEvent('5', 1000 + 1600, 100, 8000));
    expect(events.map((e) => e.digit)).toEqual(['5', '5']);
  });

  it('joins the segments of a long event (§2.5.1.3) into one, at 48 kHz', () => {
    const { rx, events } = receiver(48000);
    const pkts = sendEvent('0', 777, 4000, 48000); // 192000 units: 3 segments
    const timestamps = new Set(pkts.map((p) => p.buf.readUInt32BE(4)));
    expect(timestamps.size).toBe(3);
    feed(rx, pkts);
    expect(events).toHaveLength(1);
    expect(events[0]!.durationMs).toBe(4000);
    expect(events[0]!.startTs).toBe(777);
  });

  it('handles an event spanning the 2^32 timestamp wrap, segments included', () => {
    const { rx, events } = receiver(8000);
    const start = 2 ** 32 - 1000;
    for (let i = 5; i > 0; i--) rx.push(audio(start - i * 160), 172);
    const pkts = sendEvent('#', start, 9000, 8000); // 72000 units → a second segment past the wrap
    expect(pkts.at(-1)!.buf.readUInt32BE(4)).toBe((start + 0xffff) % 2 ** 32);
    feed(rx, pkts);
    for (let i = 0; i < 5; i++) rx.push(audio(start + 72000 + i * 160), 172);
    feed(rx, sendEvent('1', (start + 80000) >>> 0, 100, 8000));
    expect(events.map((e) => [e.digit, e.durationMs, e.at])).toEqual([
      ['#', 9000, 100],
      ['1', 100, 100 + 10000],
    ]);
  });

  it('extends a duration field that wraps within one timestamp', () => {
    const { rx, events } = receiver(8000);
    feed(rx, sendEvent('6', 100, 10000, 8000, { segments: false })); // 80000 units > 0xFFFF
    expect(events).toMatchObject([{ digit: '6', durationMs: 10000 }]);
  });

  it('ignores other payload types, short payloads and non-DTMF events', () => {
    const { rx, events } = receiver();
    const other = sendEvent('1', 1000, 100, 8000);
    for (const p of other) p.buf[1] = (p.buf[1]! & 0x80) | 96;
    feed(rx, other);
    const short = Buffer.alloc(14);
    writeTelephoneEventPacket(
      short,
      { payloadType: PT, sequence: 1, timestamp: 9, ssrc: 1 },
      {
        event: 1,
        end: true,
        volume: 0,
        duration: 160,
      },
    );
    expect(rx.push(short, 14)).toBe(true);
    const flash = Buffer.alloc(16);
    writeTelephoneEventPacket(
      flash,
      { payloadType: PT, sequence: 2, timestamp: 99, ssrc: 1 },
      {
        event: 16,
        end: true,
        volume: 0,
        duration: 800,
      },
    );
    rx.push(flash, 16);
    rx.flush();
    expect(events).toHaveLength(0);
  });
});
