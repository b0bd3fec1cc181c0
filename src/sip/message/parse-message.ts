import { parseCSeq } from './cseq.js';
import { headerDisplayName, headerKey } from './header-names.js';
import { isTokenChar } from './header-params.js';
import { resolveParseLimits, type ParseLimits } from './parse-limits.js';
import { splitNameAddr } from './name-addr.js';
import { SipParseError, type RequestIdentity } from './parse-error.js';
import { SipRequestMessage, SipResponseMessage, type HeaderEncoding } from './sip-message.js';
import { parseUri } from './sip-uri.js';
import { splitHeaderValues } from './split-header-values.js';
import type { HeaderField, SipMessage } from './types.js';
import { parseVia } from './via.js';

export interface ParseOptions {
  /**
   * The message was framed from a stream (TCP, TLS): Content-Length is then mandatory
   * (RFC 3261 §18.3). For a datagram without it, the body runs to the end of the datagram.
   */
  readonly stream?: boolean;
}

export type ParseResult =
  | { readonly ok: true; readonly message: SipMessage }
  | { readonly ok: false; readonly error: SipParseError };

const utf8 = new TextDecoder('utf-8', { fatal: true });
// Control characters other than HTAB are not allowed anywhere in the header section.
// A line break followed by whitespace is folding (LWS): one SP. RFC 3261 §7.3.1.
const FOLD = /\r?\n[ \t]+/g;
const VERSION = /^SIP\/[0-9]+\.[0-9]+$/i;
const RESPONSE_LINE = /^SIP\/([0-9]+\.[0-9]+) ([0-9]+)(?: (.*))?$/i;
const CALL_ID = /^[\x21-\x7e]+$/;
const DIGITS = /^[0-9]+$/;
/** Fields that must occur exactly once (RFC 3261 §7.3.1: not a comma list, §8.1.1). */
const SINGLE = ['from', 'to', 'call-id', 'cseq', 'max-forwards', 'content-length', 'content-type'];
const REQUIRED = ['from', 'to', 'call-id', 'cseq', 'via'];

interface Head {
  startLine: string;
  fields: HeaderField[];
  /** The first defect met while splitting lines (parsing goes on to salvage an identity). */
  error: SipParseError | undefined;
}

/**
 * True if the header text holds a control character other than HTAB and line ends (LF, CRLF);
 * RFC 3261 §25.1 allows none (NUL, bare CR...). One pass over the whole text.
 */
function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x20 && c !== 0x7f) continue;
    if (c === 0x09 || c === 0x0a) continue;
    if (c === 0x0d && text.charCodeAt(i + 1) === 0x0a) continue;
    return true;
  }
  return false;
}

function isToken(text: string): boolean {
  if (text === '') return false;
  for (let i = 0; i < text.length; i++) if (!isTokenChar(text.charCodeAt(i))) return false;
  return true;
}

function isWspCode(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/** Split the header section into the start line and unfolded fields. RFC 3261 §7.3.1. */
function splitHead(text: string, limits: ParseLimits): Head {
  const fields: HeaderField[] = [];
  let error: SipParseError | undefined;
  const note = (e: SipParseError): void => {
    error ??= e;
  };
  if (hasControlCharacter(text)) {
    note(SipParseError.bad('header-line', 'Control Character In Header'));
  }
  let startLine = '';
  let first = true;
  let pos = 0;
  // The field being assembled (continuation lines extend rawEnd).
  let rawStart = -1;
  let rawEnd = -1;
  let nameEnd = -1;
  let valueStart = -1;
  let folded = false;
  const flush = (): void => {
    if (rawStart < 0) return;
    const rawValue = text.slice(valueStart, rawEnd);
    const value = (folded ? rawValue.replace(FOLD, ' ') : rawValue).trim();
    if (value.length > limits.maxLineLength) {
      note(new SipParseError('limit', 'Header Field Too Long', 513));
    } else {
      const name = text.slice(rawStart, nameEnd);
      fields.push({ name, key: headerKey(name), value, raw: text.slice(rawStart, rawEnd) });
    }
    rawStart = -1;
    folded = false;
  };
  while (pos < text.length) {
    let next = text.indexOf('\n', pos);
    if (next < 0) next = text.length;
    const end = next > pos && text.charCodeAt(next - 1) === 0x0d ? next - 1 : next;
    if (end - pos > limits.maxLineLength) {
      note(new SipParseError('limit', 'Line Too Long', 513));
    } else if (first) {
      startLine = text.slice(pos, end);
    } else if (end > pos && isWspCode(text.charCodeAt(pos))) {
      if (rawStart < 0) note(SipParseError.bad('header-line', 'Continuation Line Without Field'));
      else {
        rawEnd = end;
        folded = true;
      }
    } else {
      flush();
      const colon = text.indexOf(':', pos);
      let e = colon < 0 || colon > end ? pos : colon;
      while (e > pos && isWspCode(text.charCodeAt(e - 1))) e--;
      let valid = e > pos;
      for (let k = pos; valid && k < e; k++) valid = isTokenChar(text.charCodeAt(k));
      if (!valid) {
        note(SipParseError.bad('header-line', 'Malformed Header Line'));
      } else if (fields.length >= limits.maxHeaders) {
        note(new SipParseError('limit', 'Too Many Header Fields', 513));
        break;
      } else {
        rawStart = pos;
        nameEnd = e;
        valueStart = colon + 1;
        rawEnd = end;
      }
    }
    first = false;
    pos = next + 1;
  }
  flush();
  return { startLine, fields, error };
}

/**
 * The fields needed to answer a request we could not fully parse (RFC 3261 §8.2.6.1). Only a
 * method (not ACK, §17.2.1 never answers it) and a parseable top Via are required: RFC 4475
 * §3.1.2.18 asks for a 400 even when From, To or Call-ID are missing; those are then left out.
 */
function requestIdentity(
  method: string | undefined,
  fields: HeaderField[],
): RequestIdentity | undefined {
  if (method === undefined || method === 'ACK') return undefined;
  const first = (key: string): string => fields.find((f) => f.key === key)?.value ?? '';
  const vias = fields.filter((f) => f.key === 'via').flatMap((f) => splitHeaderValues(f.value));
  if (vias.length === 0) return undefined;
  try {
    parseVia(vias[0]!);
  } catch {
    return undefined;
  }
  return {
    method,
    vias,
    from: first('from'),
    to: first('to'),
    callId: first('call-id'),
    cseq: first('cseq'),
  };
}

function checkAddress(value: string): void {
  const parts = splitNameAddr(value);
  const scheme = parts.uriText.slice(0, parts.uriText.indexOf(':')).toLowerCase();
  if (scheme === 'sip' || scheme === 'sips' || scheme === 'tel') parseUri(parts.uriText);
}

/** Field-level checks shared by requests and responses; returns the Content-Length if present. */
function checkFields(fields: HeaderField[], method: string | undefined): number | undefined {
  const counts = new Map<string, number>();
  for (const f of fields) counts.set(f.key, (counts.get(f.key) ?? 0) + 1);
  for (const key of REQUIRED) {
    if (!counts.has(key)) {
      throw SipParseError.bad('missing-header', `Missing ${headerDisplayName(key)}`);
    }
  }
  for (const key of SINGLE) {
    if ((counts.get(key) ?? 0) > 1) {
      throw SipParseError.bad('duplicate-header', `Multiple ${headerDisplayName(key)}`);
    }
  }
  let contentLength: number | undefined;
  for (const f of fields) {
    switch (f.key) {
      case 'via':
        for (const v of splitHeaderValues(f.value)) parseVia(v);
        break;
      case 'from':
      case 'to':
        checkAddress(f.value);
        break;
      case 'contact':
        if (f.value !== '*') for (const v of splitHeaderValues(f.value)) checkAddress(v);
        break;
      case 'call-id':
        if (!CALL_ID.test(f.value)) throw SipParseError.bad('call-id', 'Malformed Call-ID');
        break;
      case 'cseq': {
        const cseq = parseCSeq(f.value);
        if (method !== undefined && cseq.method !== method) {
          throw SipParseError.bad('cseq', 'CSeq Method Does Not Match Request');
        }
        break;
      }
      case 'max-forwards':
        if (!DIGITS.test(f.value) || Number(f.value) > 255) {
          throw SipParseError.bad('max-forwards', 'Malformed Max-Forwards');
        }
        break;
      case 'content-length':
        if (!DIGITS.test(f.value) || f.value.length > 10) {
          throw SipParseError.bad('content-length', 'Malformed Content-Length');
        }
        contentLength = Number(f.value);
        break;
      default:
        break;
    }
  }
  return contentLength;
}

function findHeadEnd(
  data: Buffer,
  from: number,
): { headEnd: number; bodyStart: number } | undefined {
  const crlf = data.indexOf('\r\n\r\n', from, 'latin1');
  const lf = data.indexOf('\n\n', from, 'latin1');
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { headEnd: crlf, bodyStart: crlf + 4 };
  if (lf >= 0) return { headEnd: lf, bodyStart: lf + 2 };
  return undefined;
}

function decodeHead(bytes: Buffer): { text: string; encoding: HeaderEncoding } {
  try {
    return { text: utf8.decode(bytes), encoding: 'utf8' };
  } catch {
    // FIXME(rfc3261 §7.3): header text must be UTF-8; Latin-1 from legacy UAs is kept byte-exact.
    return { text: bytes.toString('latin1'), encoding: 'latin1' };
  }
}

/**
 * Parse one SIP message (RFC 3261 §7, §18.3, §20, §25) from a datagram or a message framed out of
 * a stream. Leading CRLFs (keep-alives, §7.5) are skipped. Never throws: a refused message comes
 * back as a `SipParseError`, with an `identity` when the request can be answered
 * (`buildErrorResponse`), without one when it must be dropped. Linear in the input; the message
 * keeps views of `data`, not copies.
 */
export function parseMessage(
  data: Buffer,
  limits?: Partial<ParseLimits>,
  options: ParseOptions = {},
): ParseResult {
  try {
    return { ok: true, message: parseOrThrow(data, resolveParseLimits(limits), options) };
  } catch (err) {
    const error =
      err instanceof SipParseError
        ? err
        : new SipParseError('internal', 'Bad Request - Unparseable', 400, undefined, err);
    return { ok: false, error };
  }
}

function parseOrThrow(data: Buffer, limits: ParseLimits, options: ParseOptions): SipMessage {
  let start = 0;
  while (start < data.length && (data[start] === 0x0d || data[start] === 0x0a)) start++;
  if (start === data.length) throw SipParseError.bad('truncated', 'Empty Message');

  const searchEnd = Math.min(data.length, start + limits.maxMessageBytes);
  let bounds = findHeadEnd(data.subarray(0, searchEnd), start);
  let truncated = false;
  if (!bounds) {
    truncated = true;
    bounds = { headEnd: searchEnd, bodyStart: searchEnd };
  }
  const { text, encoding } = decodeHead(data.subarray(start, bounds.headEnd));
  const head = splitHead(text, limits);
  const isResponse = /^SIP\//i.test(head.startLine);
  const firstSpace = head.startLine.indexOf(' ');
  const methodText = isResponse
    ? undefined
    : head.startLine.slice(0, firstSpace < 0 ? 0 : firstSpace);
  const method = methodText !== undefined && isToken(methodText) ? methodText : undefined;

  try {
    if (truncated) {
      throw data.length > searchEnd
        ? new SipParseError('limit', 'Message Too Large', 513)
        : SipParseError.bad('truncated', 'Incomplete Header Section');
    }
    if (head.error) throw head.error;
    let request: { method: string; uri: string; version: string } | undefined;
    let response: { status: number; reason: string; version: string } | undefined;
    if (isResponse) {
      const m = RESPONSE_LINE.exec(head.startLine);
      if (!m) throw SipParseError.bad('start-line', 'Malformed Status-Line');
      if (m[1] !== '2.0') throw new SipParseError('version', 'Version Not Supported', 505);
      const status = Number(m[2]);
      if (m[2]!.length !== 3 || status < 100 || status > 699)
        throw SipParseError.bad('status', 'Bad Status Code');
      response = { status, reason: m[3] ?? '', version: head.startLine.slice(0, 7) };
    } else {
      const parts = head.startLine.split(' ');
      if (parts.length !== 3 || method === undefined) {
        throw SipParseError.bad('start-line', 'Malformed Request-Line');
      }
      const [, uri, version] = parts as [string, string, string];
      if (!VERSION.test(version)) throw SipParseError.bad('start-line', 'Malformed SIP-Version');
      if (version.toUpperCase() !== 'SIP/2.0') {
        throw new SipParseError('version', 'Version Not Supported', 505);
      }
      const parsedUri = parseUri(uri);
      if (parsedUri.headers.size > 0) {
        throw SipParseError.bad('uri', 'Headers Not Allowed In Request-URI');
      }
      request = { method, uri, version };
    }
    const contentLength = checkFields(head.fields, request?.method);
    let bodyEnd: number;
    if (contentLength === undefined) {
      if (options.stream) throw SipParseError.bad('content-length', 'Missing Content-Length');
      bodyEnd = data.length;
    } else {
      bodyEnd = bounds.bodyStart + contentLength;
      if (bodyEnd > start + limits.maxMessageBytes) {
        throw new SipParseError('limit', 'Message Too Large', 513);
      }
      if (bodyEnd > data.length) {
        throw SipParseError.bad('content-length', 'Content-Length Exceeds Message');
      }
    }
    if (bodyEnd - start > limits.maxMessageBytes) {
      throw new SipParseError('limit', 'Message Too Large', 513);
    }
    const wire = {
      fields: head.fields,
      body: data.subarray(bounds.bodyStart, bodyEnd),
      source: data.subarray(start, bodyEnd),
      encoding,
      startLine: head.startLine,
    };
    return request ? new SipRequestMessage(request, wire) : new SipResponseMessage(response!, wire);
  } catch (err) {
    if (!(err instanceof SipParseError)) throw err;
    throw isResponse ? err : err.withIdentity(requestIdentity(method, head.fields));
  }
}
