/**
 * The SIP message layer (RFC 3261 §7, §20, §25): parse and serialize requests and responses,
 * URIs, name-addr, Via and CSeq; responses per §8.2.6; stream framing per §18.3.
 */
export type * from './types.js';
export { DEFAULT_PARSE_LIMITS, type ParseLimits } from './parse-limits.js';
export { parseMessage, type ParseOptions, type ParseResult } from './parse-message.js';
export { SipParseError, type ParseErrorKind, type RequestIdentity } from './parse-error.js';
export { buildErrorResponse } from './build-error-response.js';
export { frameStream, type FrameResult } from './frame-stream.js';
export { createResponse, type ResponseOptions } from './create-response.js';
export { createRequest, type CreateRequestInit } from './create-request.js';
export { checkRequest, type RequestPolicy, type RequestRejection } from './check-request.js';
export { parseUri, formatUri, escapeUserPart, unescape } from './sip-uri.js';
export { parseNameAddr, splitNameAddr, type NameAddrParts } from './name-addr.js';
export { parseVia } from './via.js';
export { parseCSeq } from './cseq.js';
export { formatParams, parseHeaderParams } from './header-params.js';
export { headerKey, headerDisplayName } from './header-names.js';
export { isListHeader, splitHeaderValues } from './split-header-values.js';
export { reasonPhrase } from './reason-phrase.js';
export { topVia, callId, cseq, fromTag, toTag, maxForwards } from './message-accessors.js';
export {
  SipRequestMessage,
  SipResponseMessage,
  type HeaderEncoding,
  type HeaderInit,
} from './sip-message.js';
