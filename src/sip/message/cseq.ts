import { isTokenChar, skipWsp } from './header-params.js';
import { SipParseError } from './parse-error.js';
import type { CSeq } from './types.js';

/**
 * Parse `CSeq: 1*DIGIT LWS Method`. RFC 3261 §20.16, §8.1.1.5: the number is a 32-bit unsigned
 * integer; anything larger is refused (400) rather than wrapped.
 */
export function parseCSeq(text: string): CSeq {
  let i = skipWsp(text, 0);
  const numStart = i;
  while (i < text.length && text.charCodeAt(i) >= 0x30 && text.charCodeAt(i) <= 0x39) i++;
  const digits = text.slice(numStart, i);
  if (digits === '' || digits.length > 10) throw SipParseError.bad('cseq', 'Malformed CSeq');
  const seq = Number(digits);
  if (seq > 0xffffffff) throw SipParseError.bad('cseq', 'CSeq number out of range');
  const methodStart = skipWsp(text, i);
  if (methodStart === i) throw SipParseError.bad('cseq', 'Malformed CSeq');
  i = methodStart;
  while (i < text.length && isTokenChar(text.charCodeAt(i))) i++;
  if (i === methodStart || skipWsp(text, i) !== text.length) {
    throw SipParseError.bad('cseq', 'Malformed CSeq');
  }
  return { seq, method: text.slice(methodStart, i) };
}
