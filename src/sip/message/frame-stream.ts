import { headerKey } from './header-names.js';
import { resolveParseLimits, type ParseLimits } from './parse-limits.js';
import { SipParseError } from './parse-error.js';
import { parseMessage } from './parse-message.js';

/** Result of looking for one message at the start of a stream buffer. */
export type FrameResult =
  /** A whole message: the first `length` bytes. */
  | { readonly kind: 'message'; readonly length: number }
  /** `length` CR/LF keep-alive bytes (RFC 5626 §3.5.1: a `\r\n\r\n` ping asks for a `\r\n` pong). */
  | { readonly kind: 'keepalive'; readonly length: number }
  | { readonly kind: 'incomplete' }
  /** The stream cannot be resynchronised: answer if `error.identity` allows, then close. */
  | { readonly kind: 'error'; readonly error: SipParseError };

const DIGITS = /^[0-9]+$/;
const CR = 0x0d;
const LF = 0x0a;

function headEnd(buf: Buffer): { end: number; bodyStart: number } | undefined {
  const crlf = buf.indexOf('\r\n\r\n', 0, 'latin1');
  const lf = buf.indexOf('\n\n', 0, 'latin1');
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { end: crlf, bodyStart: crlf + 4 };
  if (lf >= 0) return { end: lf, bodyStart: lf + 2 };
  return undefined;
}

/** The Content-Length value of a header section, undefined if absent; throws if malformed. */
function contentLength(head: string): number | undefined {
  let found: number | undefined;
  let pos = head.indexOf('\n') + 1;
  while (pos > 0 && pos < head.length) {
    let end = head.indexOf('\n', pos);
    if (end < 0) end = head.length;
    const colon = head.indexOf(':', pos);
    if (
      colon > pos &&
      colon < end &&
      headerKey(head.slice(pos, colon).trim()) === 'content-length'
    ) {
      const value = head.slice(colon + 1, end).trim();
      if (!DIGITS.test(value) || value.length > 10) {
        throw SipParseError.bad('content-length', 'Malformed Content-Length');
      }
      if (found !== undefined)
        throw SipParseError.bad('duplicate-header', 'Multiple Content-Length');
      found = Number(value);
    }
    pos = end + 1;
  }
  return found;
}

/**
 * Frame a SIP message out of a byte stream by its Content-Length (RFC 3261 §18.3): CR/LF bytes
 * before a message are keep-alives; the header section must end within the size limit; on a
 * stream Content-Length is mandatory (`l` compact form accepted). Linear in the bytes examined.
 * After an error the transport answers if `error.identity` allows, then closes the connection.
 */
export function frameStream(buf: Buffer, limits?: Partial<ParseLimits>): FrameResult {
  const { maxMessageBytes } = resolveParseLimits(limits);
  let crlf = 0;
  while (crlf < buf.length && (buf[crlf] === CR || buf[crlf] === LF)) crlf++;
  if (crlf > 0) return { kind: 'keepalive', length: crlf };
  if (buf.length === 0) return { kind: 'incomplete' };
  const window = buf.length > maxMessageBytes ? buf.subarray(0, maxMessageBytes) : buf;
  const bounds = headEnd(window);
  if (!bounds) {
    return buf.length >= maxMessageBytes
      ? { kind: 'error', error: new SipParseError('limit', 'Message Too Large', 513) }
      : { kind: 'incomplete' };
  }
  let length: number | undefined;
  try {
    length = contentLength(buf.toString('latin1', 0, bounds.end));
  } catch (err) {
    return { kind: 'error', error: err as SipParseError };
  }
  if (length === undefined) {
    // Parse the header section alone to learn whether the request can still be answered.
    const parsed = parseMessage(buf.subarray(0, bounds.bodyStart), limits, { stream: true });
    const error = SipParseError.bad('content-length', 'Missing Content-Length');
    return { kind: 'error', error: parsed.ok ? error : error.withIdentity(parsed.error.identity) };
  }
  const total = bounds.bodyStart + length;
  if (total > maxMessageBytes) {
    return { kind: 'error', error: new SipParseError('limit', 'Message Too Large', 513) };
  }
  return buf.length < total ? { kind: 'incomplete' } : { kind: 'message', length: total };
}
