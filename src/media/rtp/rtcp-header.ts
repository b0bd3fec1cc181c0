import { readUint32, writeUint32 } from './rtp-header.js';

/**
 * Zero-allocation accessors over RTCP packets (RFC 3550 §6.4). An RTCP datagram is a compound
 * packet: several RTCP packets back to back, each starting with
 *
 * ```
 * |V=2|P|  RC/FMT |      PT       |             length            |
 * |                  SSRC of sender / packet sender               |
 * ```
 *
 * where `length` is the packet's size in 32-bit words minus one. The relay only needs the type,
 * the sender SSRC (for latching and SSRC rewrite) and the walk through a compound packet.
 */

/** RTCP packet types (RFC 3550 §12.1; RTPFB/PSFB from RFC 4585 §6.1, XR from RFC 3611). */
export const RTCP_SR = 200;
export const RTCP_RR = 201;
export const RTCP_SDES = 202;
export const RTCP_BYE = 203;
export const RTCP_APP = 204;
export const RTCP_RTPFB = 205;
export const RTCP_PSFB = 206;
export const RTCP_XR = 207;

/** Minimum RTCP packet: the 4-byte common header plus the sender SSRC. */
export const RTCP_MIN_LENGTH = 8;

/** Packet type (second octet) of the RTCP packet at `off`. */
export function rtcpPacketType(buf: Uint8Array, off = 0): number {
  return buf[off + 1]!;
}

/** RC (report count) / FMT field: low 5 bits of the first octet. */
export function rtcpReportCount(buf: Uint8Array, off = 0): number {
  return buf[off]! & 0x1f;
}

/** Size in bytes of the RTCP packet at `off` ((length + 1) × 4). */
export function rtcpPacketLength(buf: Uint8Array, off = 0): number {
  return (((buf[off + 2]! << 8) | buf[off + 3]!) + 1) * 4;
}

/**
 * SSRC of the sender of an SR or RR (RFC 3550 §6.4.1, §6.4.2); for SDES, BYE, APP and feedback
 * packets the same word is the first source / packet sender SSRC.
 */
export function rtcpSenderSsrc(buf: Uint8Array, off = 0): number {
  return readUint32(buf, off + 4);
}

/** In-place rewrite of the sender SSRC (when the relay rewrites SSRCs). */
export function setRtcpSenderSsrc(buf: Uint8Array, ssrc: number, off = 0): void {
  writeUint32(buf, off + 4, ssrc);
}

/** SR: the RTP timestamp that corresponds to the NTP timestamp (RFC 3550 §6.4.1). */
export function rtcpSrRtpTimestamp(buf: Uint8Array, off = 0): number {
  return readUint32(buf, off + 16);
}

/** SR: sender's packet count. */
export function rtcpSrPacketCount(buf: Uint8Array, off = 0): number {
  return readUint32(buf, off + 20);
}

/** SR: sender's octet count. */
export function rtcpSrOctetCount(buf: Uint8Array, off = 0): number {
  return readUint32(buf, off + 24);
}

/**
 * Validates a compound RTCP packet of `len` bytes at `off` per RFC 3550 Appendix A.2: version 2
 * in every packet, the first packet is SR or RR (or, tolerated for RFC 5506 reduced-size RTCP, any
 * known type), and the lengths add up exactly to `len`. Returns the number of packets, or -1.
 */
export function rtcpCompoundCount(buf: Uint8Array, len: number, off = 0): number {
  if (len < RTCP_MIN_LENGTH) return -1;
  let at = off;
  const end = off + len;
  let n = 0;
  while (at < end) {
    if (end - at < 4 || buf[at]! >>> 6 !== 2) return -1;
    const pt = buf[at + 1]!;
    if (pt < 192 || pt > 223) return -1;
    at += rtcpPacketLength(buf, at);
    n++;
  }
  return at === end ? n : -1;
}
