import { responseFromIdentity } from './create-response.js';
import type { SipParseError } from './parse-error.js';
import type { SipResponse } from './types.js';

/**
 * The answer to a request the parser refused (RFC 3261 §8.2.6, §21.4; RFC 4475 expectations:
 * `400` with a reason naming the defect, `505` unknown version, `416` unknown URI scheme, `513`
 * too large), or undefined when it cannot be answered (a response, an ACK, no usable top Via,
 * From, To, Call-ID or CSeq): the transport drops and counts it. The To tag is left as received:
 * a stateless rejection creates no dialog.
 */
export function buildErrorResponse(error: SipParseError): SipResponse | undefined {
  if (!error.identity) return undefined;
  return responseFromIdentity(error.identity, error.responseStatus, error.reason);
}
