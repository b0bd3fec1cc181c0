/**
 * Public types of the SIP transport layer (RFC 3261 §18). The transaction layer above sees only
 * these and {@link TransportLayer}; the per-protocol transports implement {@link Transport}.
 */
import type { ParseLimits, SipMessage } from '../message/index.js';
import type { Logger } from '../../shared/logger.js';

export type TransportProtocol = 'udp' | 'tcp' | 'tls';

/** A transport address. `address` is an IP literal (v4 or v6, no brackets). */
export interface Endpoint {
  readonly protocol: TransportProtocol;
  readonly address: string;
  readonly port: number;
}

/** Where an inbound message came from. `connectionId` is set for stream transports only. */
export interface InboundContext {
  readonly source: Endpoint;
  readonly local: Endpoint;
  readonly connectionId: string | undefined;
}

/** One socket to bind: `::`, `0.0.0.0` or a concrete address; port 0 lets the OS choose. */
export interface ListenSpec {
  protocol: 'udp' | 'tcp';
  address: string;
  port: number;
}

export interface TransportOptions {
  listen: readonly ListenSpec[];
  limits?: Partial<ParseLimits>;
  /** A TCP connection without traffic for this long is closed. Milliseconds, default 32 000. */
  tcpIdleTimeoutMs?: number;
  /** Outgoing TCP connect timeout. Milliseconds, default 10 000. */
  tcpConnectTimeoutMs?: number;
  /** A message that stays half received this long closes its connection. Milliseconds, default 10 000. */
  tcpIncompleteMessageTimeoutMs?: number;
  /** Cap on open TCP connections (incoming + outgoing). Default 4096. */
  maxTcpConnections?: number;
  logger?: Logger;
  /** Address for Via sent-by / Contact when listening on a wildcard address (NAT, containers). */
  advertisedAddress?: string;
}

/** The layer above (transactions). A throwing listener never unwinds the transport. */
export interface TransportListener {
  onMessage(message: SipMessage, ctx: InboundContext): void;
  onConnectionClosed?(connectionId: string, error?: Error): void;
}

/** Counters of the transport layer (packet-rate signals go to metrics, not logs). */
export interface TransportStats {
  /** Inbound messages (datagrams and framed stream messages; keep-alives not counted). */
  received: number;
  /** Messages handed to the kernel successfully. */
  sent: number;
  /** Inbound messages that failed to parse or frame. */
  parseErrors: number;
  /** Inbound messages dropped (unanswerable parse errors, no listener, unusable Via). */
  dropped: number;
  /** Parse errors answered with a 4xx/5xx by the transport itself (RFC 3261 §8.2.6). */
  badRequestsAnswered: number;
  /** Open TCP connections right now. */
  tcpConnections: number;
}
