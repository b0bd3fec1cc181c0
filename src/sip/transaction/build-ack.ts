import { createRequest, cseq } from '../message/index.js';
import type { SipRequest, SipResponse } from '../message/types.js';

/**
 * The ACK an INVITE client transaction sends for a 300–699 response (RFC 3261 §17.1.1.3): same
 * Request-URI, Call-ID, From and CSeq number as the INVITE, method ACK, the To of the response
 * (with its tag), the INVITE's top Via only, and the INVITE's Route header fields.
 */
export function buildNonSuccessAck(invite: SipRequest, response: SipResponse): SipRequest {
  const headers: [string, string][] = [
    ['Via', invite.get('via') ?? ''],
    ['Max-Forwards', '70'],
  ];
  for (const route of invite.getAll('route')) headers.push(['Route', route]);
  headers.push(
    ['From', invite.get('from') ?? ''],
    ['To', response.get('to') ?? ''],
    ['Call-ID', invite.get('call-id') ?? ''],
    ['CSeq', `${cseq(invite).seq} ACK`],
  );
  return createRequest({ method: 'ACK', uri: invite.uri, headers });
}
