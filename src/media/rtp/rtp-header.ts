/**
 * Zero-allocation accessors over an RTP packet held in a received buffer (RFC 3550 §5.1).
 *
 * ```
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |V=2|P|X|  CC   |M|     PT      |       sequence number         |
 * |                           timestamp                           |
 * |           synchronization source (SSRC) identifier            |
 * |            contributing source (CSRC) identifiers (CC × 32)   |
 * ```
 *
 * Every function takes the buffer and an optional byte offset (`off`, default 0) of the packet's
 * first byte, so a packet inside a larger receive buffer needs no `subarray()`. Readers do no
 * bounds checks beyond what is documented: validate a packet once with {@link rtpHeaderLength}
 * (returns -1 when malformed) before reading its fields. Nothing here allocates.
 */

/** Size of the fixed RTP header without CSRCs or extension (RFC 3550 §5.1). */
export const RTP_FIXED_HEADER_LENGTH = 12;

/** V field (must be 2). */
export function rtpVersion(buf: Uint8Array, off = 0): number {
  return buf[off]! >>> 6;
}

/** P bit: the payload ends in padding octets, the last of which counts them (RFC 3550 §5.1). */
export function rtpHasPadding(buf: Uint8Array, off = 0): boolean {
  return (buf[off]! & 0x20) !== 0;
}

/** X bit: one header extension follows the CSRC list (RFC 3550 §5.3.1). */
export function rtpHasExtension(buf: Uint8Array, off = 0): boolean {
  return (buf[off]! & 0x10) !== 0;
}

/** CC field: number of CSRC identifiers (0–15). */
export function rtpCsrcCount(buf: Uint8Array, off = 0): number {
  return buf[off]! & 0x0f;
}

/** M bit (RFC 3550 §5.1; for audio: first packet of a talkspurt, RFC 3551 §4.1). */
export function rtpMarker(buf: Uint8Array, off = 0): boolean {
  return (buf[off + 1]! & 0x80) !== 0;
}

/** PT field (7 bits). */
export function rtpPayloadType(buf: Uint8Array, off = 0): number {
  return buf[off + 1]! & 0x7f;
}

/** Sequence number (16 bits, unsigned). */
export function rtpSequence(buf: Uint8Array, off = 0): number {
  return (buf[off + 2]! << 8) | buf[off + 3]!;
}

/** Timestamp (32 bits, unsigned). */
export function rtpTimestamp(buf: Uint8Array, off = 0): number {
  return readUint32(buf, off + 4);
}

/** SSRC identifier (32 bits, unsigned). */
export function rtpSsrc(buf: Uint8Array, off = 0): number {
  return readUint32(buf, off + 8);
}

/**
 * Length in bytes of the whole RTP header: fixed part, CSRC list and, when the X bit is set, the
 * header extension (4-byte profile/length word + length × 4 bytes, RFC 3550 §5.3.1).
 * Returns -1 if the packet is not a valid RTP packet of `len` bytes: shorter than 12 bytes,
 * version ≠ 2, or the CSRC list / extension runs past the end.
 */
export function rtpHeaderLength(buf: Uint8Array, len: number, off = 0): number {
  if (len < RTP_FIXED_HEADER_LENGTH || rtpVersion(buf, off) !== 2) return -1;
  let h = RTP_FIXED_HEADER_LENGTH + 4 * rtpCsrcCount(buf, off);
  if (rtpHasExtension(buf, off)) {
    if (h + 4 > len) return -1;
    h += 4 + 4 * ((buf[off + h + 2]! << 8) | buf[off + h + 3]!);
  }
  return h > len ? -1 : h;
}

/**
 * Number of padding octets at the end of the packet (0 when the P bit is clear); -1 if the
 * padding count is zero or larger than what follows the header (RFC 3550 §5.1, A.1 validity).
 */
export function rtpPaddingLength(buf: Uint8Array, len: number, off = 0): number {
  if (!rtpHasPadding(buf, off)) return 0;
  const header = rtpHeaderLength(buf, len, off);
  if (header < 0 || len <= header) return -1;
  const pad = buf[off + len - 1]!;
  return pad === 0 || pad > len - header ? -1 : pad;
}

/** Absolute offset in `buf` of the first payload byte; -1 when the packet is malformed. */
export function rtpPayloadOffset(buf: Uint8Array, len: number, off = 0): number {
  const header = rtpHeaderLength(buf, len, off);
  return header < 0 ? -1 : off + header;
}

/** Payload length excluding header and padding; -1 when the packet is malformed. */
export function rtpPayloadLength(buf: Uint8Array, len: number, off = 0): number {
  const header = rtpHeaderLength(buf, len, off);
  if (header < 0) return -1;
  const pad = rtpPaddingLength(buf, len, off);
  return pad < 0 ? -1 : len - header - pad;
}

/**
 * RTP/RTCP demultiplexing on one port (RFC 5761 §4): the second octet of an RTCP packet is its
 * packet type 192–223 (SR 200, RR 201, …), which as an RTP M bit + PT reads as PT 64–95. Those
 * RTP payload types must not be used when RTP and RTCP share a port, so this test is exact.
 */
export function isRtcp(buf: Uint8Array, off = 0): boolean {
  const pt = buf[off + 1]!;
  return pt >= 192 && pt <= 223;
}

/** In-place rewrite of the sequence number. */
export function setRtpSequence(buf: Uint8Array, seq: number, off = 0): void {
  buf[off + 2] = (seq >>> 8) & 0xff;
  buf[off + 3] = seq & 0xff;
}

/** In-place rewrite of the timestamp (taken modulo 2^32). */
export function setRtpTimestamp(buf: Uint8Array, ts: number, off = 0): void {
  writeUint32(buf, off + 4, ts);
}

/** In-place rewrite of the SSRC. */
export function setRtpSsrc(buf: Uint8Array, ssrc: number, off = 0): void {
  writeUint32(buf, off + 8, ssrc);
}

/** In-place set or clear of the M bit. */
export function setRtpMarker(buf: Uint8Array, marker: boolean, off = 0): void {
  buf[off + 1] = marker ? buf[off + 1]! | 0x80 : buf[off + 1]! & 0x7f;
}

/** In-place rewrite of the payload type (keeps the M bit). */
export function setRtpPayloadType(buf: Uint8Array, pt: number, off = 0): void {
  buf[off + 1] = (buf[off + 1]! & 0x80) | (pt & 0x7f);
}

/** Fields of a generated RTP packet (no CSRC, no extension, no padding). */
export interface RtpHeaderFields {
  payloadType: number;
  sequence: number;
  timestamp: number;
  ssrc: number;
  marker?: boolean;
}

/**
 * Writes a 12-byte RTP header (V=2, P=0, X=0, CC=0) for a packet holdgate generates (prompt
 * playback, RFC 4733 events). Returns the header length (12) so the caller knows where to
 * write the payload.
 */
export function writeRtpHeader(buf: Uint8Array, fields: RtpHeaderFields, off = 0): number {
  buf[off] = 0x80;
  buf[off + 1] = (fields.marker === true ? 0x80 : 0) | (fields.payloadType & 0x7f);
  setRtpSequence(buf, fields.sequence, off);
  writeUint32(buf, off + 4, fields.timestamp);
  writeUint32(buf, off + 8, fields.ssrc);
  return RTP_FIXED_HEADER_LENGTH;
}

/** Big-endian unsigned 32-bit read (network order), without bounds checks. */
export function readUint32(buf: Uint8Array, at: number): number {
  return ((buf[at]! << 24) >>> 0) + ((buf[at + 1]! << 16) | (buf[at + 2]! << 8) | buf[at + 3]!);
}

/** Big-endian 32-bit write of `value` modulo 2^32. */
export function writeUint32(buf: Uint8Array, at: number, value: number): void {
  const v = value >>> 0;
  buf[at] = v >>> 24;
  buf[at + 1] = (v >>> 16) & 0xff;
  buf[at + 2] = (v >>> 8) & 0xff;
  buf[at + 3] = v & 0xff;
}
