import { parse, type MediaDescription, type SessionDescription } from 'sdp-transform';
import { HoldgateError } from '../errors/registry.js';

/** A parsed SDP session (RFC 4566 §5), as sdp-transform represents it. */
export type Sdp = SessionDescription;
/** One parsed `m=` section. */
export type SdpMedia = MediaDescription;

/**
 * Parses an SDP body (RFC 4566) with sdp-transform and checks the minimum holdgate relies on:
 * `v=0`, an `o=` line, at least one `m=` line with a numeric port, and a connection address
 * (session- or media-level `c=`, RFC 4566 §5.7) for every stream that is not rejected (port 0).
 * @throws HoldgateError `HG_ERR_SDP_INVALID` otherwise
 */
export function parseSdp(input: Buffer | string): Sdp {
  const text = typeof input === 'string' ? input : input.toString('utf8');
  let sdp: Partial<Sdp>;
  try {
    sdp = parse(text);
  } catch (err) {
    throw new HoldgateError('HG_ERR_SDP_INVALID', 'unparsable', undefined, err);
  }
  if (sdp.version !== 0) throw new HoldgateError('HG_ERR_SDP_INVALID', 'missing v=0');
  if (sdp.origin === undefined || typeof sdp.origin.sessionVersion !== 'number') {
    throw new HoldgateError('HG_ERR_SDP_INVALID', 'missing or malformed o= line');
  }
  const media = sdp.media ?? [];
  if (media.length === 0) throw new HoldgateError('HG_ERR_SDP_INVALID', 'no m= line');
  media.forEach((m, i) => {
    // sdp-transform turns a single-format list ("m=audio 4000 RTP/AVP 0") into a number.
    const formats: unknown = m.payloads;
    m.payloads = typeof formats === 'number' ? formats.toString() : (m.payloads ?? '');
    if (!Number.isInteger(m.port) || m.port < 0 || m.port > 65535) {
      throw new HoldgateError('HG_ERR_SDP_INVALID', `m-line ${i}: bad port`);
    }
    if (m.port !== 0 && m.connection === undefined && sdp.connection === undefined) {
      throw new HoldgateError('HG_ERR_SDP_INVALID', `m-line ${i}: no c= line`);
    }
  });
  return sdp as Sdp;
}
