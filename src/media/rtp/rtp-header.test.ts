import { describe, it, expect } from 'vitest';
import {
  isRtcp,
  rtpCsrcCount,
  rtpHasExtension,
  rtpHasPadding,
  rtpHeaderLength,
  rtpMarker,
  rtpPaddingLength,
  rtpPayloadLength,
  rtpPayloadOffset,
  rtpPayloadType,
  rtpSequence,
  rtpSsrc,
  rtpTimestamp,
  rtpVersion,
  setRtpMarker,
  setRtpPayloadType,
  setRtpSequence,
  setRtpSsrc,
  setRtpTimestamp,
  writeRtpHeader,
} from './rtp-header.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

// A PCMU packet as Asterisk sends it: V=2, PT 0, seq 0x1234, ts 160, SSRC 0xdeadbeef, 4 payload bytes.
const SIMPLE = hex('80 00 12 34 00 00 00 a0 de ad be ef  ff fe 7f 00');
// V=2 P=1 X=1 CC=2, M=1 PT 101, seq 65535, ts 0xfffffff0, SSRC 1, CSRC 2 and 3,
// extension profile 0xBEDE with 1 word, payload 4 bytes, 3 padding bytes.
const FULL = hex(
  'b2 e5 ff ff  ff ff ff f0  00 00 00 01  00 00 00 02  00 00 00 03' +
    ' be de 00 01  10 aa 00 00  01 80 00 a0  00 00 03',
);

describe('RTP header accessors (RFC 3550 §5.1)', () => {
  it('reads the fixed header of a golden PCMU packet', () => {
    expect(rtpVersion(SIMPLE)).toBe(2);
    expect(rtpHasPadding(SIMPLE)).toBe(false);
    expect(rtpHasExtension(SIMPLE)).toBe(false);
    expect(rtpCsrcCount(SIMPLE)).toBe(0);
    expect(rtpMarker(SIMPLE)).toBe(false);
    expect(rtpPayloadType(SIMPLE)).toBe(0);
    expect(rtpSequence(SIMPLE)).toBe(0x1234);
    expect(rtpTimestamp(SIMPLE)).toBe(160);
    expect(rtpSsrc(SIMPLE)).toBe(0xdeadbeef);
    expect(rtpHeaderLength(SIMPLE, SIMPLE.length)).toBe(12);
    expect(rtpPayloadOffset(SIMPLE, SIMPLE.length)).toBe(12);
    expect(rtpPayloadLength(SIMPLE, SIMPLE.length)).toBe(4);
  });

  it('handles CSRCs, a header extension and padding (§5.3.1)', () => {
    const len = FULL.length;
    expect(rtpHasPadding(FULL)).toBe(true);
    expect(rtpHasExtension(FULL)).toBe(true);
    expect(rtpCsrcCount(FULL)).toBe(2);
    expect(rtpMarker(FULL)).toBe(true);
    expect(rtpPayloadType(FULL)).toBe(101);
    expect(rtpSequence(FULL)).toBe(65535);
    expect(rtpTimestamp(FULL)).toBe(0xfffffff0);
    expect(rtpSsrc(FULL)).toBe(1);
    expect(rtpHeaderLength(FULL, len)).toBe(12 + 8 + 4 + 4);
    expect(rtpPaddingLength(FULL, len)).toBe(3);
    expect(rtpPayloadLength(FULL, len)).toBe(4);
    expect(FULL[rtpPayloadOffset(FULL, len)]).toBe(0x01);
  });

  it('reads a packet at an offset inside a larger buffer', () => {
    const big = Buffer.concat([Buffer.alloc(7, 0x55), FULL]);
    expect(rtpSequence(big, 7)).toBe(65535);
    expect(rtpHeaderLength(big, FULL.length, 7)).toBe(28);
    expect(rtpPayloadOffset(big, FULL.length, 7)).toBe(35);
    expect(rtpPayloadLength(big, FULL.length, 7)).toBe(4);
  });

  it('rejects malformed packets with -1', () => {
    expect(rtpHeaderLength(SIMPLE, 11)).toBe(-1); // too short
    const v1 = Buffer.from(SIMPLE);
    v1[0] = 0x40;
    expect(rtpHeaderLength(v1, v1.length)).toBe(-1); // version 1
    const csrc = Buffer.from(SIMPLE);
    csrc[0] = 0x81; // one CSRC but only 4 bytes follow... exactly fits
    expect(rtpHeaderLength(csrc, csrc.length)).toBe(16);
    csrc[0] = 0x82; // two CSRCs do not fit
    expect(rtpHeaderLength(csrc, csrc.length)).toBe(-1);
    const ext = Buffer.from(FULL);
    ext[22] = 0x00;
    ext[23] = 0x09; // extension of 9 words runs past the end
    expect(rtpHeaderLength(ext, ext.length)).toBe(-1);
    const pad = Buffer.from(FULL);
    pad[pad.length - 1] = 0; // padding count 0 is invalid
    expect(rtpPaddingLength(pad, pad.length)).toBe(-1);
    pad[pad.length - 1] = 9; // more padding than payload
    expect(rtpPayloadLength(pad, pad.length)).toBe(-1);
  });

  it('rewrites fields in place without touching the others', () => {
    const b = Buffer.from(FULL);
    setRtpSequence(b, 7);
    setRtpTimestamp(b, 2 ** 32 + 5); // modulo 2^32
    setRtpSsrc(b, 0xcafebabe);
    setRtpMarker(b, false);
    setRtpPayloadType(b, 8);
    expect(rtpSequence(b)).toBe(7);
    expect(rtpTimestamp(b)).toBe(5);
    expect(rtpSsrc(b)).toBe(0xcafebabe);
    expect(rtpMarker(b)).toBe(false);
    expect(rtpPayloadType(b)).toBe(8);
    expect(rtpCsrcCount(b)).toBe(2);
    expect(b.subarray(12)).toEqual(FULL.subarray(12));
    setRtpMarker(b, true);
    expect(b[1]).toBe(0x88);
  });

  it('writes a generated header byte-exact', () => {
    const b = Buffer.alloc(16, 0xaa);
    const n = writeRtpHeader(
      b,
      { payloadType: 0, sequence: 0x1234, timestamp: 160, ssrc: 0xdeadbeef },
      2,
    );
    expect(n).toBe(12);
    expect(b.subarray(2, 14)).toEqual(SIMPLE.subarray(0, 12));
    expect(b[0]).toBe(0xaa);
    expect(b[14]).toBe(0xaa);
    writeRtpHeader(b, { payloadType: 101, sequence: 1, timestamp: 1, ssrc: 1, marker: true });
    expect(b[1]).toBe(0xe5);
  });
});

describe('isRtcp (RFC 5761 §4 demultiplexing)', () => {
  it('classifies by the second octet: 192–223 is RTCP', () => {
    const b = Buffer.from(SIMPLE);
    for (let v = 0; v < 256; v++) {
      b[1] = v;
      expect(isRtcp(b)).toBe(v >= 192 && v <= 223);
    }
    expect(isRtcp(hex('81 c8 00 06'))).toBe(true); // SR
    expect(isRtcp(hex('81 c9 00 07'))).toBe(true); // RR
    expect(isRtcp(hex('80 80 00 01'))).toBe(false); // RTP M=1 PT 0
    expect(isRtcp(hex('80 e5 00 01'))).toBe(false); // RTP M=1 PT 101
  });
});
