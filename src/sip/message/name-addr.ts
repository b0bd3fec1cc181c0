import {
  isTokenChar,
  isWsp,
  parseHeaderParams,
  quotedStringEnd,
  skipWsp,
  unquote,
} from './header-params.js';
import { SipParseError } from './parse-error.js';
import { parseUri } from './sip-uri.js';
import type { NameAddr } from './types.js';

/** A name-addr or addr-spec split into its parts, the URI not yet parsed. */
export interface NameAddrParts {
  readonly displayName: string | undefined;
  readonly uriText: string;
  readonly params: ReadonlyMap<string, string | null>;
}

function fail(reason: string): SipParseError {
  return SipParseError.bad('address', reason);
}

function hasWsp(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (isWsp(text.charCodeAt(i))) return true;
  return false;
}

/**
 * Split `( name-addr / addr-spec ) *( SEMI param )` (From, To, Contact, Route, Record-Route,
 * Reply-To, P-Asserted-Identity...). RFC 3261 §20.10, §25.1: an addr-spec ends at the first `;`
 * (its parameters are header parameters); an unquoted display name is tokens and LWS only
 * (UTF-8 letters tolerated); no whitespace inside the URI. Works for any URI scheme.
 */
export function splitNameAddr(text: string): NameAddrParts {
  let i = skipWsp(text, 0);
  let displayName: string | undefined;
  let uriText: string;
  if (text.charCodeAt(i) === 0x22 /* " */) {
    const end = quotedStringEnd(text, i);
    if (end < 0) throw fail('Unterminated quoted display name');
    displayName = unquote(text.slice(i, end));
    i = skipWsp(text, end);
    if (text.charCodeAt(i) !== 0x3c) throw fail('Expected < after display name');
  }
  let bracket = -1;
  for (let j = i; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === 0x3c /* < */) {
      bracket = j;
      break;
    }
    if (c === 0x3b /* ; */ || c === 0x22) break;
  }
  let after: number;
  if (bracket >= 0) {
    if (displayName === undefined) {
      for (let j = i; j < bracket; j++) {
        const c = text.charCodeAt(j);
        if (!isTokenChar(c) && !isWsp(c) && c < 0x80)
          throw fail('Invalid character in display name');
      }
      const name = text.slice(i, bracket).trim();
      displayName = name === '' ? undefined : name;
    }
    const close = text.indexOf('>', bracket + 1);
    if (close < 0) throw fail('Unterminated <');
    uriText = text.slice(bracket + 1, close);
    after = close + 1;
  } else {
    let end = i;
    while (end < text.length && text.charCodeAt(end) !== 0x3b) end++;
    uriText = text.slice(i, end).trimEnd();
    after = end;
  }
  if (uriText === '' || hasWsp(uriText)) throw fail('Malformed URI in address');
  const params = parseHeaderParams(text, after, 'address', 'address');
  return { displayName, uriText, params };
}

/** Parse a name-addr or addr-spec with a SIP, SIPS or tel URI (416 for other schemes). */
export function parseNameAddr(text: string): NameAddr {
  const parts = splitNameAddr(text);
  return { ...parts, uri: parseUri(parts.uriText) };
}
