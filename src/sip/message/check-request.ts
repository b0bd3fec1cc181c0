import type { SipRequest } from './types.js';

/** What a UAS accepts; the transaction user passes its own. RFC 3261 §8.2.2.3, §8.2.3. */
export interface RequestPolicy {
  /** Option tags this UA implements (lower-case), e.g. `timer`, `100rel`, `replaces`. */
  readonly supported: ReadonlySet<string>;
  /** Body media types accepted (lower-case), e.g. `application/sdp`. */
  readonly accept: ReadonlySet<string>;
  /** Body content codings accepted besides `identity` (lower-case). Default none. */
  readonly acceptEncoding?: ReadonlySet<string>;
  /**
   * The request is going to be forwarded (a B2BUA's other leg): Max-Forwards 0 is then refused
   * with 483 (§16.3 step 2, §8.2 as applied by a B2BUA), except OPTIONS which may be answered.
   */
  readonly forwarding: boolean;
}

/** A refusal: answer with this status, reason and extra header fields. */
export interface RequestRejection {
  readonly status: number;
  readonly reason: string;
  readonly headers: readonly (readonly [string, string])[];
}

function tokens(values: readonly string[]): string[] {
  return values.map((v) => v.trim().toLowerCase()).filter((v) => v !== '');
}

function mediaType(contentType: string): string {
  const semi = contentType.indexOf(';');
  return (semi < 0 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
}

/**
 * The checks of RFC 3261 §8.2.2.3 and §8.2.3 that sit between a parsed request and the transaction
 * user, in the order the RFC lists them: Require (`420` + Unsupported; never for ACK or CANCEL),
 * body type (`415` + Accept) and coding (`415` + Accept-Encoding), a body without Content-Type
 * (`400`, §20.15), then Max-Forwards 0 (`483`) when forwarding. Undefined when acceptable.
 */
export function checkRequest(
  request: SipRequest,
  policy: RequestPolicy,
): RequestRejection | undefined {
  if (request.method !== 'ACK' && request.method !== 'CANCEL') {
    const unsupported = tokens(request.getAll('require')).filter((t) => !policy.supported.has(t));
    if (unsupported.length > 0) {
      return {
        status: 420,
        reason: 'Bad Extension',
        headers: [['Unsupported', unsupported.join(', ')]],
      };
    }
  }
  if (request.body.length > 0) {
    const contentType = request.get('content-type');
    if (contentType === undefined) {
      return { status: 400, reason: 'Missing Content-Type', headers: [] };
    }
    if (!policy.accept.has(mediaType(contentType))) {
      return {
        status: 415,
        reason: 'Unsupported Media Type',
        headers: [['Accept', [...policy.accept].join(', ')]],
      };
    }
    const codings = tokens(request.getAll('content-encoding')).filter(
      (c) => c !== 'identity' && !(policy.acceptEncoding?.has(c) ?? false),
    );
    if (codings.length > 0) {
      return {
        status: 415,
        reason: 'Unsupported Media Type',
        headers: [['Accept-Encoding', ['identity', ...(policy.acceptEncoding ?? [])].join(', ')]],
      };
    }
  }
  // FIXME(rfc3261 §7.4): multipart bodies are accepted as a whole type, parts are not checked.
  if (policy.forwarding && request.method !== 'OPTIONS' && request.get('max-forwards') === '0') {
    return { status: 483, reason: 'Too Many Hops', headers: [] };
  }
  return undefined;
}
