import { createRequest, parseNameAddr, type SipRequest } from '../message/index.js';
import type { Endpoint, TransportProtocol } from '../transport/index.js';
import { nextHop } from './next-hop.js';

export type DialogState = 'early' | 'confirmed' | 'terminated';
export type DialogRole = 'uac' | 'uas';

/** What the layer above does with a dialog's in-dialog traffic. Exceptions are caught by the core. */
export interface DialogOwner {
  /** An in-dialog request (re-INVITE, UPDATE, INFO, BYE, ...) that passed the §12.2.2 checks. */
  onRequest(dialog: Dialog, request: SipRequest, respond: RespondFn): void;
  /** The ACK for a 2xx we sent (RFC 3261 §13.3.1.4); it may carry the answer of an offer-less INVITE. */
  onAck(dialog: Dialog, ack: SipRequest): void;
  /** Our 2xx was never ACKed within 64*T1 (§13.3.1.4): the session should be ended. */
  onAckTimeout(dialog: Dialog): void;
  /** A CANCEL matched the INVITE that created this (early) dialog, RFC 3261 §9.2. */
  onCancel?(dialog: Dialog): void;
}

/** Sends a response to the request it was given with; see `UserAgentCore.respond`. */
export type RespondFn = (
  status: number,
  reason?: string,
  opts?: { body?: Buffer; contentType?: string; headers?: readonly (readonly [string, string])[] },
) => void;

export interface DialogInit {
  role: DialogRole;
  callId: string;
  localTag: string;
  remoteTag: string;
  /** Full From (uac) or To (uas) value including our tag. */
  localHeader: string;
  /** Full To (uac) or From (uas) value including the peer's tag. */
  remoteHeader: string;
  localSeq: number;
  remoteSeq: number | undefined;
  remoteTarget: string;
  routeSet: readonly string[];
  protocol: TransportProtocol;
  /** Stream connection the dialog was set up on (reused for in-dialog requests, RFC 5923 spirit). */
  connectionId: string | undefined;
  /** Where the dialog-creating request came from / went to: the fallback next hop. */
  flow: Endpoint;
  /** Our Contact header value. */
  contact: string;
  state: DialogState;
}

/**
 * Dialog state per RFC 3261 §12: the identifier (Call-ID, local tag, remote tag), the local and
 * remote sequence numbers, the route set and the remote target, and the construction of
 * requests within the dialog (§12.2.1.1). Offer/answer bookkeeping for glare (§14.1, RFC 3311
 * §5.2) lives here too, since it is per dialog.
 */
export class Dialog {
  readonly role: DialogRole;
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
  readonly localHeader: string;
  readonly remoteHeader: string;
  readonly protocol: TransportProtocol;
  readonly contact: string;
  readonly flow: Endpoint;
  connectionId: string | undefined;
  state: DialogState;
  localSeq: number;
  remoteSeq: number | undefined;
  remoteTarget: string;
  routeSet: readonly string[];
  owner: DialogOwner | undefined;
  /** CSeq of an INVITE or UPDATE we sent that has no final response yet (glare, §14.1). */
  pendingOutgoingOffer: number | undefined;
  /** CSeq of an INVITE or UPDATE we received and have not answered finally yet (§14.2). */
  pendingIncomingOffer: number | undefined;
  /** CSeq of an INVITE we answered 2xx and whose ACK has not arrived (§13.3.1.4). */
  awaitingAck: number | undefined;

  constructor(init: DialogInit) {
    this.role = init.role;
    this.callId = init.callId;
    this.localTag = init.localTag;
    this.remoteTag = init.remoteTag;
    this.localHeader = init.localHeader;
    this.remoteHeader = init.remoteHeader;
    this.localSeq = init.localSeq;
    this.remoteSeq = init.remoteSeq;
    this.remoteTarget = init.remoteTarget;
    this.routeSet = init.routeSet;
    this.protocol = init.protocol;
    this.connectionId = init.connectionId;
    this.flow = init.flow;
    this.contact = init.contact;
    this.state = init.state;
    this.owner = undefined;
    this.pendingOutgoingOffer = undefined;
    this.pendingIncomingOffer = undefined;
    this.awaitingAck = undefined;
  }

  /** The dialog id of §12 as one string key. */
  get id(): string {
    return dialogKey(this.callId, this.localTag, this.remoteTag);
  }

  /**
   * Build a request within the dialog, RFC 3261 §12.2.1.1: To/From with tags, Call-ID, CSeq
   * (incremented except for ACK and CANCEL), Request-URI and Route from the route set (loose
   * routing when the first route has `lr`, else the strict-routing rewrite), Contact for target
   * refresh requests. Returns the request and where to send it.
   */
  createRequest(
    method: string,
    opts: {
      body?: Buffer;
      contentType?: string;
      headers?: readonly (readonly [string, string])[];
      cseq?: number;
    } = {},
  ): { request: SipRequest; destination: Endpoint } {
    let seq: number;
    if (opts.cseq !== undefined) seq = opts.cseq;
    else {
      this.localSeq += 1;
      seq = this.localSeq;
    }
    let requestUri = this.remoteTarget;
    let routes = [...this.routeSet];
    const first = routes[0];
    let hopUri = this.remoteTarget;
    if (first !== undefined) {
      const firstRoute = parseNameAddr(first);
      hopUri = firstRoute.uriText;
      if (!firstRoute.params.has('lr') && !firstRoute.uri.params.has('lr')) {
        // §12.2.1.1 strict routing: the first route becomes the Request-URI.
        requestUri = firstRoute.uriText;
        routes = [...routes.slice(1), `<${this.remoteTarget}>`];
      }
    }
    const headers: [string, string][] = [
      ['Max-Forwards', '70'],
      ['From', this.localHeader],
      ['To', this.remoteHeader],
      ['Call-ID', this.callId],
      ['CSeq', `${seq} ${method}`],
    ];
    for (const r of routes) headers.push(['Route', r]);
    if (
      method === 'INVITE' ||
      method === 'UPDATE' ||
      method === 'SUBSCRIBE' ||
      method === 'REFER'
    ) {
      headers.push(['Contact', this.contact]);
    }
    for (const h of opts.headers ?? []) headers.push([h[0], h[1]]);
    if (opts.body && opts.body.length > 0 && opts.contentType)
      headers.push(['Content-Type', opts.contentType]);
    const request = createRequest({
      method,
      uri: requestUri,
      headers,
      ...(opts.body ? { body: opts.body } : {}),
    });
    // The Via is added by the transaction layer (or by the core for an ACK).
    const destination = this.destinationFor(hopUri);
    return { request, destination };
  }

  /** RFC 3261 §12.2.1.2 / §12.2.2: a target refresh replaces the remote target with its Contact. */
  refreshTarget(contactValue: string | undefined): void {
    if (!contactValue) return;
    try {
      this.remoteTarget = parseNameAddr(contactValue).uriText;
    } catch {
      // A malformed Contact in a target refresh leaves the old target in place.
    }
  }

  private destinationFor(uriText: string): Endpoint {
    try {
      const hop = nextHop(parseNameAddr(`<${uriText}>`).uri, this.protocol);
      if (hop) return hop;
    } catch {
      // fall through to the flow
    }
    return this.flow;
  }
}

export function dialogKey(callId: string, localTag: string, remoteTag: string): string {
  return `${callId}\u0000${localTag}\u0000${remoteTag}`;
}
