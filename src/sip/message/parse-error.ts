import { HoldgateError } from '../../errors/registry.js';

/**
 * Why a message was refused; a stable label for metrics (`sip_parse_errors_total{kind}`) and tests.
 * RFC 3261 §7 (syntax), §18.3 (framing), §21.4 (the status codes a bad request earns).
 */
export type ParseErrorKind =
  | 'limit'
  | 'truncated'
  | 'start-line'
  | 'version'
  | 'method'
  | 'uri'
  | 'uri-scheme'
  | 'header-line'
  | 'missing-header'
  | 'duplicate-header'
  | 'via'
  | 'cseq'
  | 'call-id'
  | 'address'
  | 'max-forwards'
  | 'content-length'
  | 'status'
  | 'internal';

/**
 * What is left of a refused request that still allows answering it (RFC 3261 §8.2.6.1): its
 * method and the Via values (the top one parses), From, To, Call-ID and CSeq as received
 * (empty when the request lacked them).
 */
export interface RequestIdentity {
  readonly method: string;
  readonly vias: readonly string[];
  readonly from: string;
  readonly to: string;
  readonly callId: string;
  readonly cseq: string;
}

/**
 * A message that could not be parsed or was refused at the syntax level (code `HG_ERR_SIP_PARSE`,
 * or `HG_ERR_SIP_LIMIT` for a limit). When `identity` is set the request can be answered with
 * `responseStatus reason` (`buildErrorResponse`); otherwise it is dropped and counted.
 */
export class SipParseError extends HoldgateError {
  readonly kind: ParseErrorKind;
  /** 400; 505 unknown SIP version; 416 unknown Request-URI scheme; 513 message too large. */
  readonly responseStatus: number;
  /** Reason phrase naming the defect, e.g. `Bad Request - Missing Call-ID`. */
  readonly reason: string;
  readonly identity: RequestIdentity | undefined;

  constructor(
    kind: ParseErrorKind,
    reason: string,
    responseStatus = 400,
    identity?: RequestIdentity,
    cause?: unknown,
  ) {
    super(
      kind === 'limit' ? 'HG_ERR_SIP_LIMIT' : 'HG_ERR_SIP_PARSE',
      reason,
      { kind, responseStatus },
      cause,
    );
    this.name = 'SipParseError';
    this.kind = kind;
    this.responseStatus = responseStatus;
    this.reason = reason;
    this.identity = identity;
  }

  /** A 400 whose reason phrase says what was wrong: `Bad Request - <detail>`. */
  static bad(kind: ParseErrorKind, detail: string): SipParseError {
    return new SipParseError(kind, `Bad Request - ${detail}`);
  }

  /** The same error, now knowing which request it belongs to. */
  withIdentity(identity: RequestIdentity | undefined): SipParseError {
    if (identity === this.identity) return this;
    return new SipParseError(this.kind, this.reason, this.responseStatus, identity, this.cause);
  }
}
