import { parseCSeq } from './cseq.js';
import { splitNameAddr } from './name-addr.js';
import type { CSeq, SipMessage, Via } from './types.js';
import { parseVia } from './via.js';

/**
 * Typed reads of the fields every layer needs (RFC 3261 §8.1.1). They parse on demand; a parsed
 * message has already passed these checks, so they throw only on messages built carelessly.
 */

/** The top Via (RFC 3261 §18.2.2, §17.1.3 / §17.2.3 matching). */
export function topVia(message: SipMessage): Via {
  return parseVia(message.get('via') ?? '');
}

export function callId(message: SipMessage): string {
  return message.get('call-id') ?? '';
}

export function cseq(message: SipMessage): CSeq {
  return parseCSeq(message.get('cseq') ?? '');
}

function tagOf(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const tag = splitNameAddr(value).params.get('tag');
  return tag ?? undefined;
}

/** From tag (RFC 3261 §19.3), undefined if absent. */
export function fromTag(message: SipMessage): string | undefined {
  return tagOf(message.get('from'));
}

/** To tag (RFC 3261 §19.3), undefined if absent. */
export function toTag(message: SipMessage): string | undefined {
  return tagOf(message.get('to'));
}

/** Max-Forwards (RFC 3261 §20.22), undefined if absent or not a number. */
export function maxForwards(message: SipMessage): number | undefined {
  const value = message.get('max-forwards');
  if (value === undefined || !/^[0-9]{1,3}$/.test(value)) return undefined;
  return Number(value);
}
