/**
 * Contracts of the SIP transaction layer (RFC 3261 §17): what it needs from the transport below
 * (declared here, structurally, so the transport only has to fit it) and the delegate interface it
 * calls above (the transaction user, RFC 3261 §5: the dialog layer or a stateless core).
 */
import type { Logger } from '../../shared/logger.js';
import type { HoldgateError } from '../../errors/registry.js';
import type { SipRequest, SipResponse } from '../message/types.js';

import type { Endpoint, InboundContext } from '../transport/index.js';

export type { Endpoint, InboundContext };

/** The narrow slice of the transport layer the transactions use (RFC 3261 §18). */
export interface TransactionTransport {
  /** Send a request to `to` (reusing connection `connectionId` on a stream transport). Rejects on failure. */
  send(message: SipRequest, to: Endpoint, connectionId?: string): Promise<void>;
  /** Send a response per RFC 3261 §18.2.2 (on the connection the request came on when reliable). */
  sendResponse(response: SipResponse, connectionId: string | undefined): Promise<void>;
  /** True for stream transports (TCP, TLS): no retransmission timers, zero wait timers. */
  isReliable(protocol: Endpoint['protocol']): boolean;
  /** The sent-by host and port to put into a Via for this protocol and address family. */
  sentBy(protocol: Endpoint['protocol'], family: 4 | 6): { host: string; port: number };
}

/** Timer base values in milliseconds. RFC 3261 §17.1.1.1 and Table 4 (A.1). */
export interface TransactionTimerValues {
  /** RTT estimate; default 500 ms. */
  readonly t1: number;
  /** Maximum retransmit interval for non-INVITE requests and INVITE responses; default 4000 ms. */
  readonly t2: number;
  /** Maximum duration a message remains in the network; default 5000 ms. */
  readonly t4: number;
}

export interface TransactionLayerOptions {
  t1?: number;
  t2?: number;
  t4?: number;
  /** Cap on live transactions (client + server); default 10 000. */
  maxTransactions?: number;
  logger?: Logger;
  /** Clock used for transaction start times; default `Date.now`. */
  now?: () => number;
}

export type InviteClientState = 'calling' | 'proceeding' | 'accepted' | 'completed' | 'terminated';
export type NonInviteClientState = 'trying' | 'proceeding' | 'completed' | 'terminated';
export type InviteServerState =
  'proceeding' | 'accepted' | 'completed' | 'confirmed' | 'terminated';
export type NonInviteServerState = 'trying' | 'proceeding' | 'completed' | 'terminated';

export type ClientTransactionState = InviteClientState | NonInviteClientState;
export type ServerTransactionState = InviteServerState | NonInviteServerState;

/** Callbacks of one client transaction (RFC 3261 §17.1). A throwing handler is caught and logged. */
export interface ClientTransactionHandlers {
  /** A 1xx response. */
  onProvisional?(response: SipResponse): void;
  /** A final response; for INVITE every 2xx received in the Accepted state, retransmissions too (RFC 6026 §7.2). */
  onFinal(response: SipResponse): void;
  /** Timer B or F fired (or the §9.1 64*T1 guard after CANCEL): treat as 408. */
  onTimeout(): void;
  /** The transport failed to send (RFC 3261 §17.1.4); the transaction is terminated. */
  onTransportError(error: HoldgateError): void;
  /** The transaction reached the Terminated state. */
  onTerminated?(): void;
}

/** A client transaction as the TU sees it. */
export interface ClientTransaction {
  /** The request as sent, with the Via added by the layer. */
  readonly request: SipRequest;
  readonly method: string;
  /** Top Via branch parameter (`z9hG4bK...`). */
  readonly branch: string;
  readonly destination: Endpoint;
  readonly state: ClientTransactionState;
  /**
   * Cancel a pending INVITE (RFC 3261 §9.1). The CANCEL is sent only once a provisional response
   * has been received; a final response arriving first makes this a no-op. No effect on non-INVITE.
   * `reason` becomes a Reason header (RFC 3326), e.g. `SIP;cause=487;text="Caller hung up"`.
   */
  cancel(reason?: string): void;
}

export interface ServerTransactionEvents {
  /** Sending a response failed (RFC 3261 §17.2.4); the transaction is terminated. */
  transportError: (error: HoldgateError) => void;
  /** Timer H fired: no ACK for a non-2xx final response (RFC 3261 §17.2.1). */
  timeout: () => void;
  terminated: () => void;
}

/** A server transaction as the TU sees it. */
export interface ServerTransaction {
  readonly request: SipRequest;
  readonly ctx: InboundContext;
  readonly method: string;
  readonly isInvite: boolean;
  readonly state: ServerTransactionState;
  /** The final response sent, once there is one. */
  readonly finalResponse: SipResponse | undefined;
  /**
   * Send a response through the transaction. After a final response, further responses are
   * ignored (logged at debug level), 2xx included: see `retransmitFinal` for 2xx retransmission.
   */
  respond(response: SipResponse): void;
  /**
   * INVITE only, Accepted state: hand the 2xx already sent to the transport again
   * (RFC 6026 §7.1; the dialog layer's §13.3.1.4 retransmission). Returns false if not applicable.
   */
  retransmitFinal(): boolean;
  on<E extends keyof ServerTransactionEvents>(event: E, listener: ServerTransactionEvents[E]): void;
}

/** The layer above (RFC 3261 §17: "transaction user"). Exceptions thrown here are caught and logged. */
export interface TransactionUser {
  /** A new request (not ACK, not CANCEL) with its new server transaction. */
  onRequest(request: SipRequest, transaction: ServerTransaction, ctx: InboundContext): void;
  /**
   * A CANCEL matched a pending INVITE server transaction (RFC 3261 §9.2); the layer has already
   * answered the CANCEL with 200. The TU should answer the INVITE with 487.
   */
  onCancel(cancel: SipRequest, inviteTransaction: ServerTransaction, ctx: InboundContext): void;
  /**
   * An ACK that matched no transaction (the ACK for a 2xx belongs to the dialog, §17.1.1.3), or one
   * that matched an INVITE server transaction in the Accepted state (RFC 6026 §7.1).
   */
  onAck(ack: SipRequest, ctx: InboundContext, transaction?: ServerTransaction): void;
  /** A response that matched no client transaction (e.g. a 2xx retransmission after Timer M). */
  onStrayResponse(response: SipResponse, ctx: InboundContext): void;
}
