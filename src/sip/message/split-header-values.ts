import { isWsp } from './header-params.js';

/**
 * Splitting a header field line into its values. RFC 3261 §7.3.1: a field whose grammar is a
 * comma-separated list may be written as several lines or as one line with top-level commas.
 * Commas inside quoted strings (with `\` escapes) and angle brackets do not separate. (Comments
 * only occur in Server and User-Agent, which are not lists.)
 * Linear in the value length whatever the input (unbalanced quotes swallow the rest).
 */

/** Lower-case long names whose grammar is `#value` (RFC 3261 §20 and later extensions). */
const LIST_HEADERS: ReadonlySet<string> = new Set([
  'accept',
  'accept-contact',
  'accept-encoding',
  'accept-language',
  'accept-resource-priority',
  'alert-info',
  'allow',
  'allow-events',
  'call-info',
  'contact',
  'content-encoding',
  'content-language',
  'diversion',
  'error-info',
  'history-info',
  'in-reply-to',
  'p-asserted-identity',
  'p-associated-uri',
  'p-preferred-identity',
  'path',
  'proxy-require',
  'reason',
  'record-route',
  'reject-contact',
  'request-disposition',
  'require',
  'resource-priority',
  'route',
  'security-client',
  'security-server',
  'security-verify',
  'service-route',
  'supported',
  'unsupported',
  'via',
  'warning',
]);

/**
 * True when values of this header may be combined on one line with commas. Unknown extension
 * headers are never split: holdgate cannot know their grammar, so their value is kept whole.
 */
export function isListHeader(key: string): boolean {
  return LIST_HEADERS.has(key);
}

/**
 * Offsets `[start, end)` of each top-level comma-separated element of `value`, trimmed, empty
 * elements dropped (RFC 7230-style tolerance for `a,,b`).
 */
export function splitHeaderValueSpans(value: string): [number, number][] {
  const spans: [number, number][] = [];
  let start = 0;
  let inQuote = false;
  let angle = 0;
  const push = (end: number): void => {
    let s = start;
    let e = end;
    while (s < e && isWsp(value.charCodeAt(s))) s++;
    while (e > s && isWsp(value.charCodeAt(e - 1))) e--;
    if (e > s) spans.push([s, e]);
  };
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (inQuote) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inQuote = false;
      continue;
    }
    switch (c) {
      case 0x22:
        inQuote = true;
        break;
      case 0x3c /* < */:
        angle++;
        break;
      case 0x3e /* > */:
        if (angle > 0) angle--;
        break;
      case 0x2c /* , */:
        if (angle === 0) {
          push(i);
          start = i + 1;
        }
        break;
      default:
        break;
    }
  }
  push(value.length);
  return spans;
}

/** The top-level comma-separated elements of a list header value, trimmed. */
export function splitHeaderValues(value: string): string[] {
  return splitHeaderValueSpans(value).map(([s, e]) => value.slice(s, e));
}
