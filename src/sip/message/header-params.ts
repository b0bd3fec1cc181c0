import { SipParseError, type ParseErrorKind } from './parse-error.js';

/**
 * Header parameters: `*( SEMI generic-param )`, `generic-param = token [ EQUAL gen-value ]`,
 * `gen-value = token / host / quoted-string`, with LWS allowed around `;` and `=`.
 * RFC 3261 §7.3.1, §25.1. A single left-to-right scan: linear in the input.
 */

/** RFC 3261 §25.1 `token` characters. */
export function isTokenChar(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) || // a-z
    (c >= 0x41 && c <= 0x5a) || // A-Z
    (c >= 0x30 && c <= 0x39) || // 0-9
    c === 0x2d || // -
    c === 0x2e || // .
    c === 0x21 || // !
    c === 0x25 || // %
    c === 0x2a || // *
    c === 0x5f || // _
    c === 0x2b || // +
    c === 0x60 || // `
    c === 0x27 || // '
    c === 0x7e // ~
  );
}

/** Token characters plus those of `host` (`[`, `]`, `:` for IPv6 references). */
function isValueChar(c: number): boolean {
  return isTokenChar(c) || c === 0x5b || c === 0x5d || c === 0x3a;
}

export function isWsp(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

export function skipWsp(text: string, i: number): number {
  while (i < text.length && isWsp(text.charCodeAt(i))) i++;
  return i;
}

/**
 * End index (after the closing quote) of the quoted-string starting at `start` (a `"`), or -1 if
 * it is not terminated. RFC 3261 §25.1 `quoted-string` with `quoted-pair`.
 */
export function quotedStringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c) i++;
    else if (c === 0x22) return i + 1;
  }
  return -1;
}

/** Contents of a quoted-string without the quotes, quoted-pairs resolved. */
export function unquote(quoted: string): string {
  let out = '';
  for (let i = 1; i < quoted.length - 1; i++) {
    const ch = quoted[i];
    if (ch === '\\' && i + 1 < quoted.length - 1) {
      i++;
      out += quoted[i] ?? '';
    } else {
      out += ch ?? '';
    }
  }
  return out;
}

/**
 * Parse `;name=value` parameters from `start` to the end of `text`. Names are lower-cased; a flag
 * parameter maps to null; a quoted value keeps its quotes (as written). The first occurrence of a
 * name wins. Throws `SipParseError(kind)` on anything else.
 */
export function parseHeaderParams(
  text: string,
  start: number,
  kind: ParseErrorKind,
  what: string,
): Map<string, string | null> {
  const params = new Map<string, string | null>();
  const fail = (): SipParseError => SipParseError.bad(kind, `Malformed ${what} parameter`);
  let i = skipWsp(text, start);
  while (i < text.length) {
    if (text.charCodeAt(i) !== 0x3b /* ; */) throw fail();
    i = skipWsp(text, i + 1);
    const nameStart = i;
    while (i < text.length && isTokenChar(text.charCodeAt(i))) i++;
    if (i === nameStart) throw fail();
    const name = text.slice(nameStart, i).toLowerCase();
    i = skipWsp(text, i);
    let value: string | null = null;
    if (i < text.length && text.charCodeAt(i) === 0x3d /* = */) {
      i = skipWsp(text, i + 1);
      const valueStart = i;
      if (i < text.length && text.charCodeAt(i) === 0x22) {
        i = quotedStringEnd(text, i);
        if (i < 0) throw SipParseError.bad(kind, `Unterminated quoted string in ${what}`);
      } else {
        while (i < text.length && isValueChar(text.charCodeAt(i))) i++;
      }
      if (i === valueStart) throw fail();
      value = text.slice(valueStart, i);
      i = skipWsp(text, i);
    }
    if (!params.has(name)) params.set(name, value);
  }
  return params;
}

/** `;name=value;flag` from a parameter map (values written as stored: quoted ones keep quotes). */
export function formatParams(params: ReadonlyMap<string, string | null>): string {
  let out = '';
  for (const [name, value] of params) out += value === null ? `;${name}` : `;${name}=${value}`;
  return out;
}
