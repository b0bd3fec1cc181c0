import { describe, it, expect } from 'vitest';
import {
  RTCP_RR,
  RTCP_SDES,
  RTCP_SR,
  rtcpCompoundCount,
  rtcpPacketLength,
  rtcpPacketType,
  rtcpReportCount,
  rtcpSenderSsrc,
  rtcpSrOctetCount,
  rtcpSrPacketCount,
  rtcpSrRtpTimestamp,
  setRtcpSenderSsrc,
} from './rtcp-header.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

// Compound: SR (no report blocks) + SDES with one CNAME chunk "ab".
const SR = hex(
  '80 c8 00 06  11 22 33 44  e8 a1 b2 c3 d4 e5 f6 07  00 00 0f a0  00 00 00 32  00 00 1f 40',
);
const SDES = hex('81 ca 00 02  11 22 33 44  01 02 61 62');
// RR with one report block.
const RR = hex(
  '81 c9 00 07  aa bb cc dd  11 22 33 44  05 00 00 02  00 01 00 10  00 00 00 07  00 00 00 00 00 00 00 00',
);

describe('RTCP accessors (RFC 3550 §6.4)', () => {
  it('reads a golden SR', () => {
    expect(rtcpPacketType(SR)).toBe(RTCP_SR);
    expect(rtcpReportCount(SR)).toBe(0);
    expect(rtcpPacketLength(SR)).toBe(28);
    expect(rtcpSenderSsrc(SR)).toBe(0x11223344);
    expect(rtcpSrRtpTimestamp(SR)).toBe(4000);
    expect(rtcpSrPacketCount(SR)).toBe(50);
    expect(rtcpSrOctetCount(SR)).toBe(8000);
  });

  it('reads a golden RR', () => {
    expect(rtcpPacketType(RR)).toBe(RTCP_RR);
    expect(rtcpReportCount(RR)).toBe(1);
    expect(rtcpPacketLength(RR)).toBe(RR.length);
    expect(rtcpSenderSsrc(RR)).toBe(0xaabbccdd);
  });

  it('walks a compound packet and rejects bad lengths', () => {
    const compound = Buffer.concat([SR, SDES]);
    expect(rtcpCompoundCount(compound, compound.length)).toBe(2);
    expect(rtcpPacketType(compound, rtcpPacketLength(compound))).toBe(RTCP_SDES);
    expect(rtcpCompoundCount(compound, compound.length - 1)).toBe(-1);
    expect(rtcpCompoundCount(compound, 4)).toBe(-1);
    const bad = Buffer.from(compound);
    bad[28] = 0x41; // version 1 in the second packet
    expect(rtcpCompoundCount(bad, bad.length)).toBe(-1);
  });

  it('rewrites the sender SSRC in place', () => {
    const b = Buffer.from(RR);
    setRtcpSenderSsrc(b, 0x01020304);
    expect(rtcpSenderSsrc(b)).toBe(0x01020304);
    expect(b.subarray(8)).toEqual(RR.subarray(8));
  });
});
