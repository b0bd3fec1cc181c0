import { isIPv6 } from 'node:net';
import { SipParseError } from './parse-error.js';
import type { SipUri } from './types.js';

/**
 * SIP, SIPS and tel URIs. RFC 3261 §19.1 (components, escaping), §25.1 (ABNF), RFC 3966 (tel),
 * RFC 5954 (IPv6 references). Every check is an anchored character class: linear time.
 */

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*$/;
// unreserved = alphanum / mark; mark = - _ . ! ~ * ' ( ); escaped = % HEX HEX
const USER = /^(?:[A-Za-z0-9\-_.!~*'()&=+$,;?/]|%[0-9A-Fa-f]{2})+$/;
const PASSWORD = /^(?:[A-Za-z0-9\-_.!~*'()&=+$,]|%[0-9A-Fa-f]{2})*$/;
// hostname, IPv4address; `_` accepted although RFC 1123 forbids it: seen in the field.
const HOSTNAME = /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_.])?$/;
const PARAM = /^(?:[A-Za-z0-9\-_.!~*'()[\]/:&+$]|%[0-9A-Fa-f]{2})+$/;
const HNV = /^(?:[A-Za-z0-9\-_.!~*'()[\]/?:+$]|%[0-9A-Fa-f]{2})*$/;
const PORT = /^[0-9]{1,5}$/;
// RFC 3966: global-number-digits / local-number-digits with visual separators.
// (One quantifier per pattern: nested `*x*` patterns backtrack quadratically.)
const TEL_GLOBAL = /^\+[0-9().-]+$/;
const TEL_LOCAL = /^[0-9A-Fa-f*#().-]+$/;
const TEL_DIGIT = /[0-9A-Fa-f*#]/;
const BAD_ESCAPE = /%(?![0-9A-Fa-f]{2})/;
const ESCAPE = /%([0-9A-Fa-f]{2})/g;

function uriError(what: string): SipParseError {
  return SipParseError.bad('uri', `Malformed URI (${what})`);
}

/** `%HH` → characters (UTF-8; bytes that are not UTF-8 decode as Latin-1). RFC 3261 §19.1.2. */
export function unescape(part: string): string {
  if (!part.includes('%')) return part;
  if (BAD_ESCAPE.test(part)) throw uriError('bad escape');
  try {
    return decodeURIComponent(part);
  } catch {
    return part.replace(ESCAPE, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  }
}

function parseParams(text: string, allowed: RegExp): Map<string, string | null> {
  const params = new Map<string, string | null>();
  if (text === '') return params;
  for (const item of text.split(';')) {
    const eq = item.indexOf('=');
    const name = eq < 0 ? item : item.slice(0, eq);
    const value = eq < 0 ? null : item.slice(eq + 1);
    if (!allowed.test(name) || (value !== null && value !== '' && !allowed.test(value))) {
      throw uriError('parameter');
    }
    const key = unescape(name).toLowerCase();
    if (!params.has(key)) params.set(key, value === null ? null : unescape(value));
  }
  return params;
}

function parseHost(hostport: string): { host: string; port: number | undefined } {
  let host: string;
  let rest: string;
  if (hostport.startsWith('[')) {
    const close = hostport.indexOf(']');
    if (close < 0 || !isIPv6(hostport.slice(1, close))) throw uriError('IPv6 reference');
    host = hostport.slice(0, close + 1);
    rest = hostport.slice(close + 1);
  } else {
    const colon = hostport.indexOf(':');
    host = colon < 0 ? hostport : hostport.slice(0, colon);
    rest = colon < 0 ? '' : hostport.slice(colon);
    if (!HOSTNAME.test(host)) throw uriError('host');
  }
  if (rest === '') return { host, port: undefined };
  const digits = rest.slice(1);
  if (!rest.startsWith(':') || !PORT.test(digits)) throw uriError('port');
  const port = Number(digits);
  if (port > 65535) throw uriError('port');
  return { host, port };
}

function parseHeaders(text: string | undefined): Map<string, string> {
  const headers = new Map<string, string>();
  if (text === undefined) return headers;
  for (const item of text.split('&')) {
    const eq = item.indexOf('=');
    const name = eq < 0 ? item : item.slice(0, eq);
    const value = eq < 0 ? '' : item.slice(eq + 1);
    if (name === '' || !HNV.test(name) || !HNV.test(value)) throw uriError('headers');
    headers.set(unescape(name), unescape(value));
  }
  return headers;
}

function parseTel(text: string, rest: string): SipUri {
  const semi = rest.indexOf(';');
  const number = semi < 0 ? rest : rest.slice(0, semi);
  const valid = number.startsWith('+')
    ? TEL_GLOBAL.test(number) && /[0-9]/.test(number)
    : TEL_LOCAL.test(number) && TEL_DIGIT.test(number);
  if (!valid) throw uriError('telephone-subscriber');
  const params = parseParams(semi < 0 ? '' : rest.slice(semi + 1), PARAM);
  return {
    scheme: 'tel',
    user: number,
    password: undefined,
    host: '',
    port: undefined,
    params,
    headers: new Map(),
  };
}

/**
 * Parse a URI as written in a Request-URI, name-addr or addr-spec. Throws `SipParseError`
 * (`uri` → 400; a well-formed URI of another scheme → `uri-scheme`, 416, RFC 3261 §21.4.14).
 */
export function parseUri(text: string): SipUri {
  const colon = text.indexOf(':');
  if (colon <= 0 || !SCHEME.test(text.slice(0, colon))) throw uriError('scheme');
  const scheme = text.slice(0, colon).toLowerCase();
  const rest = text.slice(colon + 1);
  if (scheme === 'tel') return parseTel(text, rest);
  if (scheme !== 'sip' && scheme !== 'sips') {
    throw new SipParseError('uri-scheme', 'Unsupported URI Scheme', 416);
  }
  const q = rest.indexOf('?');
  const beforeHeaders = q < 0 ? rest : rest.slice(0, q);
  const at = beforeHeaders.indexOf('@');
  let user: string | undefined;
  let password: string | undefined;
  let hostPart = beforeHeaders;
  if (at >= 0) {
    const userinfo = beforeHeaders.slice(0, at);
    hostPart = beforeHeaders.slice(at + 1);
    const pc = userinfo.indexOf(':');
    const rawUser = pc < 0 ? userinfo : userinfo.slice(0, pc);
    const rawPassword = pc < 0 ? undefined : userinfo.slice(pc + 1);
    if (!USER.test(rawUser)) throw uriError('user');
    if (rawPassword !== undefined && !PASSWORD.test(rawPassword)) throw uriError('password');
    user = unescape(rawUser);
    password = rawPassword === undefined ? undefined : unescape(rawPassword);
  }
  const semi = hostPart.indexOf(';');
  const { host, port } = parseHost(semi < 0 ? hostPart : hostPart.slice(0, semi));
  const params = parseParams(semi < 0 ? '' : hostPart.slice(semi + 1), PARAM);
  const headers = parseHeaders(q < 0 ? undefined : rest.slice(q + 1));
  return { scheme, user, password, host, port, params, headers };
}

const USER_SAFE = /[A-Za-z0-9\-_.!~*'()&=+$,;?/]/;
const PASSWORD_SAFE = /[A-Za-z0-9\-_.!~*'()&=+$,]/;
const PARAM_SAFE = /[A-Za-z0-9\-_.!~*'()[\]/:&+$]/;
const HNV_SAFE = /[A-Za-z0-9\-_.!~*'()[\]/?:+$]/;

/** `%HH`-escape what RFC 3261 §25.1 does not allow unescaped in the user part of a SIP URI. */
export function escapeUserPart(user: string): string {
  return escapeUriPart(user, USER_SAFE);
}

function escapeUriPart(text: string, safe: RegExp): string {
  let out = '';
  for (const ch of text) {
    if (safe.test(ch)) out += ch;
    else
      for (const byte of Buffer.from(ch, 'utf8'))
        out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Serialize a URI, escaping each component as RFC 3261 §19.1.2 requires. */
export function formatUri(uri: SipUri): string {
  let out = `${uri.scheme}:`;
  if (uri.scheme === 'tel') {
    out += uri.user ?? '';
  } else {
    if (uri.user !== undefined) {
      out += escapeUriPart(uri.user, USER_SAFE);
      if (uri.password !== undefined) out += `:${escapeUriPart(uri.password, PASSWORD_SAFE)}`;
      out += '@';
    }
    out += uri.host;
    if (uri.port !== undefined) out += `:${uri.port}`;
  }
  for (const [name, value] of uri.params) {
    out += `;${escapeUriPart(name, PARAM_SAFE)}`;
    if (value !== null) out += `=${escapeUriPart(value, PARAM_SAFE)}`;
  }
  let sep = '?';
  for (const [name, value] of uri.headers) {
    out += `${sep}${escapeUriPart(name, HNV_SAFE)}=${escapeUriPart(value, HNV_SAFE)}`;
    sep = '&';
  }
  return out;
}
