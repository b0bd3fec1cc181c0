import { createRequest, cseq } from '../message/index.js';
import type { SipRequest } from '../message/types.js';

/**
 * A CANCEL for `request` (RFC 3261 §9.1): identical Request-URI, Call-ID, To, From and CSeq number
 * (method CANCEL), a single Via equal to the request's top Via (so it shares the branch), and the
 * request's Route header fields. `reason` becomes a Reason header field (RFC 3326).
 */
export function buildCancel(request: SipRequest, reason?: string): SipRequest {
  const headers: [string, string][] = [
    ['Via', request.get('via') ?? ''],
    ['Max-Forwards', '70'],
  ];
  for (const route of request.getAll('route')) headers.push(['Route', route]);
  headers.push(
    ['From', request.get('from') ?? ''],
    ['To', request.get('to') ?? ''],
    ['Call-ID', request.get('call-id') ?? ''],
    ['CSeq', `${cseq(request).seq} CANCEL`],
  );
  if (reason !== undefined) headers.push(['Reason', reason]);
  return createRequest({ method: 'CANCEL', uri: request.uri, headers });
}
