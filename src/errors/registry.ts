/**
 * The one error registry of holdgate. Every error a caller may match on has a stable code
 * (`HG_ERR_*`), a message template and the HTTP status the admin API answers with.
 * Callers match on `err.code`, never on the message. `docs/errors.md` documents every code;
 * a test checks that it does.
 */
export const ERROR_CODES = {
  HG_ERR_CONFIG_INVALID: { status: 500, message: 'Configuration is invalid' },
  HG_ERR_CONFIG_NOT_FOUND: { status: 500, message: 'Configuration file not found' },
  HG_ERR_SIP_PARSE: { status: 400, message: 'SIP message could not be parsed' },
  HG_ERR_SIP_LIMIT: { status: 413, message: 'SIP message exceeds a configured limit' },
  HG_ERR_SIP_TRANSPORT: { status: 503, message: 'SIP transport failed' },
  HG_ERR_SIP_TIMEOUT: { status: 504, message: 'SIP transaction timed out' },
  HG_ERR_SIP_TRANSACTION_LIMIT: { status: 503, message: 'Too many SIP transactions' },
  HG_ERR_SIP_DIALOG_STATE: { status: 409, message: 'Request not allowed in the dialog state' },
  HG_ERR_SIP_RESPONSE: { status: 502, message: 'Peer answered with a SIP failure response' },
  HG_ERR_MEDIA_PORTS_EXHAUSTED: { status: 503, message: 'No free RTP port pair' },
  HG_ERR_MEDIA_WORKER: { status: 500, message: 'Media worker failed' },
  HG_ERR_SDP_INVALID: { status: 400, message: 'SDP could not be parsed' },
  HG_ERR_PROMPT_CONVERT: { status: 500, message: 'Prompt audio could not be converted' },
  HG_ERR_PROMPT_SYNTHESIS: { status: 500, message: 'Default prompt could not be synthesized' },
  HG_ERR_CONSENT_CONFIG: { status: 400, message: 'Consent configuration is incomplete' },
  HG_ERR_RECORDING_FINALIZE: { status: 500, message: 'Recording could not be finalized' },
  HG_ERR_RECORDING_SPOOL: { status: 500, message: 'Recording spool is not durable' },
  HG_ERR_AUDIO_DECODE: { status: 500, message: 'Audio file could not be decoded' },
  HG_ERR_KNOWN_MUSIC_SOURCE: { status: 500, message: 'Known hold music source is unusable' },
  HG_ERR_NOT_IMPLEMENTED: { status: 501, message: 'Not implemented' },
  HG_ERR_API_VALIDATION: { status: 400, message: 'Request failed validation' },
  HG_ERR_API_UNAUTHORIZED: { status: 401, message: 'Missing or unknown API key' },
  HG_ERR_API_FORBIDDEN: { status: 403, message: "The API key's role does not allow this" },
  HG_ERR_API_NOT_FOUND: { status: 404, message: 'No such resource' },
  HG_ERR_API_CONFLICT: { status: 409, message: 'Resource already exists or is in the wrong state' },
  HG_ERR_API_RANGE: { status: 416, message: 'Requested range not satisfiable' },
  HG_ERR_API_RATE_LIMITED: { status: 429, message: 'Too many failed authentications' },
  HG_ERR_API_INTERNAL: { status: 500, message: 'Internal error in the admin API' },
  HG_ERR_RECEIPT_KEY: { status: 500, message: 'Erasure receipt signing key unusable' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** An error with a stable registry code. */
export class HoldgateError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(
    code: ErrorCode,
    detail?: string,
    details?: Record<string, unknown>,
    cause?: unknown,
  ) {
    const entry = ERROR_CODES[code];
    super(detail ? `${entry.message}: ${detail}` : entry.message, cause ? { cause } : undefined);
    this.name = 'HoldgateError';
    this.code = code;
    this.status = entry.status;
    this.details = details ? Object.freeze({ ...details }) : undefined;
  }
}

/**
 * A SIP failure to carry back to the other leg: the PBX's `486` becomes the caller's `486`.
 * RFC 3261 §16.7 step 6 (choosing the best response) is the model for which status wins.
 */
export class SipError extends HoldgateError {
  readonly sipStatus: number;
  readonly sipReason: string;

  constructor(sipStatus: number, sipReason: string, cause?: unknown) {
    super('HG_ERR_SIP_RESPONSE', `${sipStatus} ${sipReason}`, { sipStatus }, cause);
    this.name = 'SipError';
    this.sipStatus = sipStatus;
    this.sipReason = sipReason;
  }
}

export function isHoldgateError(err: unknown): err is HoldgateError {
  return err instanceof HoldgateError;
}
