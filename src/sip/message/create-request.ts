import { SipRequestMessage, type HeaderInit } from './sip-message.js';
import type { SipRequest } from './types.js';

export interface CreateRequestInit {
  readonly method: string;
  readonly uri: string;
  /** Fields in order; Content-Length is added (or corrected) from the body on serialize. */
  readonly headers: HeaderInit;
  readonly body?: Buffer;
}

/** A new request (RFC 3261 §8.1.1: the caller supplies Via, From, To, Call-ID, CSeq, Max-Forwards). */
export function createRequest(init: CreateRequestInit): SipRequest {
  const request = new SipRequestMessage({
    method: init.method,
    uri: init.uri,
    headers: init.headers,
    body: init.body ?? Buffer.alloc(0),
  });
  request.set('Content-Length', String(request.body.length));
  return request;
}
