import { isIPv6 } from 'node:net';
import { isTokenChar, parseHeaderParams, skipWsp } from './header-params.js';
import { SipParseError } from './parse-error.js';
import type { Via } from './types.js';

const HOSTNAME = /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_.])?$/;

function fail(what: string): SipParseError {
  return SipParseError.bad('via', `Malformed Via (${what})`);
}

function readToken(text: string, i: number): number {
  while (i < text.length && isTokenChar(text.charCodeAt(i))) i++;
  return i;
}

function expectSlash(text: string, i: number): number {
  i = skipWsp(text, i);
  if (text.charCodeAt(i) !== 0x2f /* / */) throw fail('sent-protocol');
  return skipWsp(text, i + 1);
}

/**
 * Parse one Via value: `SIP / 2.0 / UDP host[:port] *( ; via-params )`, LWS allowed around the
 * slashes. RFC 3261 §20.42, §25.1 (`via-parm`), RFC 3581 (`rport` flag), RFC 5954 (IPv6).
 */
export function parseVia(text: string): Via {
  let i = skipWsp(text, 0);
  let end = readToken(text, i);
  if (end === i || text.slice(i, end).toUpperCase() !== 'SIP') throw fail('protocol name');
  i = expectSlash(text, end);
  end = readToken(text, i);
  if (end === i) throw fail('protocol version');
  i = expectSlash(text, end);
  end = readToken(text, i);
  if (end === i) throw fail('transport');
  const transport = text.slice(i, end).toUpperCase();
  i = end;
  const hostStart = skipWsp(text, i);
  if (hostStart === i) throw fail('sent-by');
  i = hostStart;
  let host: string;
  if (text.charCodeAt(i) === 0x5b /* [ */) {
    const close = text.indexOf(']', i);
    if (close < 0 || !isIPv6(text.slice(i + 1, close))) throw fail('IPv6 reference');
    host = text.slice(i, close + 1);
    i = close + 1;
  } else {
    end = i;
    while (end < text.length) {
      const c = text.charCodeAt(end);
      if (c === 0x3a || c === 0x3b || c === 0x20 || c === 0x09) break;
      end++;
    }
    host = text.slice(i, end);
    if (!HOSTNAME.test(host)) throw fail('host');
    i = end;
  }
  let port: number | undefined;
  i = skipWsp(text, i);
  if (text.charCodeAt(i) === 0x3a /* : */) {
    i = skipWsp(text, i + 1);
    end = i;
    while (end < text.length && text.charCodeAt(end) >= 0x30 && text.charCodeAt(end) <= 0x39) end++;
    if (end === i || end - i > 5) throw fail('port');
    port = Number(text.slice(i, end));
    if (port > 65535) throw fail('port');
    i = end;
  }
  const params = parseHeaderParams(text, i, 'via', 'Via');
  const branch = params.get('branch');
  return { transport, host, port, params, branch: branch ?? undefined };
}
