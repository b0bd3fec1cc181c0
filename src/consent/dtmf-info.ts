import type { DtmfDigit } from '../media/dtmf/index.js';

/** A key press carried in a SIP INFO body. */
export interface InfoDigit {
  readonly digit: DtmfDigit;
  /** Duration in ms when the body states one. */
  readonly durationMs: number | undefined;
}

const KEY = /^[0-9*#A-D]$/;
/** RFC 4733 §3.2 event codes 10–15 as some senders write them in `Signal=`. */
const CODE_KEYS: Record<string, DtmfDigit> = {
  '10': '*',
  '11': '#',
  '12': 'A',
  '13': 'B',
  '14': 'C',
  '15': 'D',
};

/**
 * The key of a SIP INFO (RFC 6086) DTMF body, or undefined when the body is not one:
 * - `application/dtmf-relay` (the de-facto Cisco format): `Signal=<key>` and `Duration=<ms>` lines;
 * - `application/dtmf`: the key alone (`5`, `#`) or an event code `0`–`15`.
 * Case of `a`–`d` is folded; anything else (other content types, several keys) is not a digit.
 */
export function parseInfoDigit(contentType: string, body: Buffer): InfoDigit | undefined {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  const text = body.toString('utf8').trim();
  if (type === 'application/dtmf-relay') {
    let digit: DtmfDigit | undefined;
    let durationMs: number | undefined;
    for (const line of text.split(/\r?\n/)) {
      const m = /^\s*([A-Za-z-]+)\s*=\s*(\S+)\s*$/.exec(line);
      if (!m) continue;
      const name = m[1]!.toLowerCase();
      if (name === 'signal') digit = keyOf(m[2]!);
      else if (name === 'duration' && /^\d+$/.test(m[2]!)) durationMs = Number(m[2]);
    }
    return digit === undefined ? undefined : { digit, durationMs };
  }
  if (type === 'application/dtmf') {
    const digit = keyOf(text);
    return digit === undefined ? undefined : { digit, durationMs: undefined };
  }
  return undefined;
}

function keyOf(token: string): DtmfDigit | undefined {
  const up = token.toUpperCase();
  if (KEY.test(up)) return up as DtmfDigit;
  return CODE_KEYS[token];
}
