import { describe, it, expect } from 'vitest';
import {
  rtpMarker,
  rtpPayloadLength,
  rtpPayloadType,
  rtpSequence,
  rtpSsrc,
  rtpTimestamp,
} from '../rtp/rtp-header.js';
import { PromptPacketizer } from './prompt-packetizer.js';

function collect(p: PromptPacketizer): Buffer[] {
  const out: Buffer[] = [];
  const buf = Buffer.alloc(200);
  for (let n = p.next(buf); n > 0; n = p.next(buf)) out.push(Buffer.from(buf.subarray(0, n)));
  return out;
}

describe('PromptPacketizer (RFC 3550 §5.1, RFC 3551 §4.1)', () => {
  it('cuts 20 ms packets with sequence/timestamp steps, marker on the first, padded tail', () => {
    const audio = Buffer.alloc(160 * 3 + 40);
    for (let i = 0; i < audio.length; i++) audio[i] = i & 0x7f;
    const p = new PromptPacketizer({
      audio,
      law: 'ulaw',
      payloadType: 0,
      ssrc: 0x1234abcd,
      sequence: 65534,
      timestamp: 2 ** 32 - 160,
    });
    expect(p.remaining).toBe(4);
    const pkts = collect(p);
    expect(pkts).toHaveLength(4);
    expect(pkts.map((b) => rtpSequence(b))).toEqual([65534, 65535, 0, 1]);
    expect(pkts.map((b) => rtpTimestamp(b))).toEqual([2 ** 32 - 160, 0, 160, 320]);
    expect(pkts.map((b) => rtpMarker(b))).toEqual([true, false, false, false]);
    expect(pkts.every((b) => rtpSsrc(b) === 0x1234abcd && rtpPayloadType(b) === 0)).toBe(true);
    expect(pkts.every((b) => rtpPayloadLength(b, b.length) === 160)).toBe(true);
    expect(Buffer.concat(pkts.map((b) => b.subarray(12))).subarray(0, audio.length)).toEqual(audio);
    const tail = pkts[3]!.subarray(12 + 40);
    expect(tail.length).toBe(120);
    expect(tail.every((v) => v === 0xff)).toBe(true);
    expect(p.done).toBe(true);
    expect(p.nextSequence).toBe(2);
    expect(p.nextTimestamp).toBe(480);
    expect(p.next(Buffer.alloc(200))).toBe(0);
  });

  it('pads A-law with 0xD5 and writes at an offset', () => {
    const p = new PromptPacketizer({
      audio: Buffer.alloc(10, 0x11),
      law: 'alaw',
      payloadType: 8,
      ssrc: 1,
      sequence: 1,
      timestamp: 0,
    });
    const buf = Buffer.alloc(180, 0xee);
    expect(p.next(buf, 8)).toBe(172);
    expect(buf[7]).toBe(0xee);
    expect(buf.subarray(20, 30).every((v) => v === 0x11)).toBe(true);
    expect(buf.subarray(30, 180).every((v) => v === 0xd5)).toBe(true);
    expect(() =>
      new PromptPacketizer({
        audio: Buffer.alloc(1),
        law: 'alaw',
        payloadType: 8,
        ssrc: 1,
        sequence: 0,
        timestamp: 0,
      }).next(Buffer.alloc(100)),
    ).toThrow(RangeError);
  });
});
