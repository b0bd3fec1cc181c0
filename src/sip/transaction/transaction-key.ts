import { callId, cseq, fromTag, toTag, topVia } from '../message/index.js';
import type { SipRequest, SipResponse, Via } from '../message/types.js';
import { hasMagicCookie } from './branch.js';

/**
 * Transaction identifiers for matching (RFC 3261 §17.1.3, §17.2.3, §9.2).
 * Keys are opaque strings; the client and server key spaces never overlap.
 */

/** Client key: the branch we put into the top Via plus the CSeq method (§17.1.3). */
export function clientKey(branch: string, method: string): string {
  return `c\n${branch}\n${method}`;
}

/** The client key a response belongs to; undefined if its top Via or CSeq is unusable. */
export function responseKey(response: SipResponse): string | undefined {
  try {
    const branch = topVia(response).branch;
    if (branch === undefined) return undefined;
    return clientKey(branch, cseq(response).method);
  } catch {
    return undefined;
  }
}

function sentBy(via: Via): string {
  const port = via.port ?? (via.transport === 'TLS' ? 5061 : 5060);
  return `${via.host.toLowerCase()}:${port}`;
}

export interface ServerKey {
  readonly key: string;
  /** True when the branch lacks the magic cookie and the RFC 2543 rule was used. */
  readonly legacy: boolean;
}

/**
 * The server key of `request` as if its method were `method` (ACK and CANCEL look up the INVITE,
 * §17.2.3 and §9.2). With an RFC 3261 branch: branch + sent-by + method. Otherwise the RFC 2543
 * rule of §17.2.3: Request-URI, From tag, Call-ID, CSeq number, top Via, plus the To tag for
 * requests that are not part of an INVITE transaction (for an ACK the To tag is compared with the
 * transaction's response by the caller, since the INVITE carried none). Undefined when unusable.
 */
export function serverKey(
  request: SipRequest,
  method: string = request.method,
): ServerKey | undefined {
  try {
    const via = topVia(request);
    if (hasMagicCookie(via.branch)) {
      return { key: `s\n${via.branch}\n${sentBy(via)}\n${method}`, legacy: false };
    }
    const inviteFamily = method === 'INVITE';
    const toTagPart = inviteFamily ? '' : (toTag(request) ?? '');
    const key = [
      's2543',
      request.uri,
      fromTag(request) ?? '',
      callId(request),
      String(cseq(request).seq),
      request.get('via') ?? '',
      toTagPart,
      method,
    ].join('\n');
    return { key, legacy: true };
  } catch {
    return undefined;
  }
}
