/**
 * The per-protocol transport contract (RFC 3261 §18): UDP and TCP implement it, TLS will.
 * A transport moves bytes; parsing, Via stamping and response routing live in the layer.
 */
import type { Endpoint, InboundContext, TransportProtocol } from './types.js';
import type { SipParseError } from '../message/index.js';

/** What a transport reports upwards. Implementations never let a sink exception escape. */
export interface TransportSink {
  /** One complete datagram, or one framed stream message. */
  onPacket(data: Buffer, ctx: InboundContext): void;
  /**
   * The stream could not be framed (RFC 3261 §18.3: Content-Length missing, message too large).
   * Returns the bytes of an error response to write before the connection is closed, if any.
   */
  onFramingError(error: SipParseError, ctx: InboundContext): Buffer | undefined;
  /** A stream connection closed; `error` when it was not an orderly close. */
  onConnectionClosed(connectionId: string, error?: Error): void;
}

export interface SendOptions {
  /** Stream transports: the connection to use if still open. */
  readonly connectionId?: string | undefined;
  /** Datagram transports: the local endpoint (socket) to send from, if bound. */
  readonly local?: Endpoint | undefined;
}

export interface Transport {
  readonly protocol: TransportProtocol;
  /** RFC 3261 §18: reliable transports get no retransmissions from the transaction layer. */
  readonly reliable: boolean;
  start(): Promise<void>;
  /** Idempotent. */
  close(): Promise<void>;
  /** Rejects with HoldgateError HG_ERR_SIP_TRANSPORT. */
  send(data: Buffer, to: Endpoint, options?: SendOptions): Promise<void>;
  /** Bound endpoints with their actual ports (after start). */
  endpoints(): readonly Endpoint[];
  /** Whether a stream connection with this id is open (always false for datagram transports). */
  hasConnection(connectionId: string): boolean;
  /** Open connections (0 for datagram transports). */
  readonly connectionCount: number;
}
