import { splitNameAddr } from './name-addr.js';
import { reasonPhrase } from './reason-phrase.js';
import { SipResponseMessage, type HeaderInit } from './sip-message.js';
import type { RequestIdentity } from './parse-error.js';
import type { SipRequest, SipResponse } from './types.js';

export interface ResponseOptions {
  /** Tag added to To when the request's To has none (RFC 3261 §8.2.6.2). */
  readonly toTag?: string;
  readonly body?: Buffer;
  /** Content-Type of `body`. */
  readonly contentType?: string;
  /** Extra fields, after the copied ones (Contact, Allow, Retry-After, Unsupported...). */
  readonly headers?: HeaderInit;
}

const TAG_PARAM = /;\s*tag\s*=/i;

function hasTag(value: string): boolean {
  try {
    return splitNameAddr(value).params.has('tag');
  } catch {
    return TAG_PARAM.test(value);
  }
}

/**
 * A response from the identifying fields of a request (RFC 3261 §8.2.6.2): every Via value in
 * order, From, To (+ `toTag` if it has no tag), Call-ID and CSeq copied, Timestamp echoed on 100
 * (§8.2.6.1). Works from strings so a request the parser refused can be answered too.
 */
export function responseFromIdentity(
  identity: Omit<RequestIdentity, 'method'> & { readonly timestamp?: string | undefined },
  status: number,
  reason?: string,
  options: ResponseOptions = {},
): SipResponse {
  const headers: (readonly [string, string])[] = identity.vias.map((v) => ['Via', v] as const);
  const to =
    options.toTag !== undefined && !hasTag(identity.to)
      ? `${identity.to};tag=${options.toTag}`
      : identity.to;
  const copied: [string, string][] = [
    ['From', identity.from],
    ['To', to],
    ['Call-ID', identity.callId],
    ['CSeq', identity.cseq],
  ];
  // Empty only when answering a request refused for lacking them (RFC 4475 §3.1.2.18).
  for (const field of copied) if (field[1] !== '') headers.push(field);
  if (status === 100 && identity.timestamp !== undefined) {
    headers.push(['Timestamp', identity.timestamp]);
  }
  if (options.contentType !== undefined) headers.push(['Content-Type', options.contentType]);
  headers.push(...(options.headers ?? []));
  return new SipResponseMessage({
    status,
    reason: reason ?? reasonPhrase(status),
    headers,
    body: options.body ?? Buffer.alloc(0),
  });
}

/**
 * A response to `request` per RFC 3261 §8.2.6; the reason phrase defaults to §21's. The third
 * argument may be the options when the default phrase is wanted.
 */
export function createResponse(
  request: SipRequest,
  status: number,
  reason?: string | ResponseOptions,
  options?: ResponseOptions,
): SipResponse {
  const phrase = typeof reason === 'string' ? reason : undefined;
  const opts = typeof reason === 'object' ? reason : (options ?? {});
  const identity = {
    vias: request.getAll('via'),
    from: request.get('from') ?? '',
    to: request.get('to') ?? '',
    callId: request.get('call-id') ?? '',
    cseq: request.get('cseq') ?? '',
    timestamp: request.get('timestamp'),
  };
  return responseFromIdentity(identity, status, phrase, opts);
}
