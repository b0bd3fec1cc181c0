/**
 * The SIP transport layer (RFC 3261 §18): owns the UDP and TCP transports, parses inbound bytes,
 * stamps `received`/`rport` on requests (§18.2.1, RFC 3581 §4), answers unparsable but
 * identifiable requests itself (§8.2.6 via the message layer), and routes responses (§18.2.2).
 */
import { networkInterfaces } from 'node:os';
import {
  buildErrorResponse,
  parseMessage,
  type ParseLimits,
  type SipMessage,
  type SipParseError,
  type SipResponse,
} from '../message/index.js';
import { silentLogger, type Logger } from '../../shared/logger.js';
import { addressFamily, isWildcard, sipHost } from './endpoint-address.js';
import { responseDestination } from './response-destination.js';
import { TcpTransport } from './tcp-transport.js';
import { transportError } from './transport-error.js';
import type { Transport, TransportSink } from './transport.js';
import type {
  Endpoint,
  InboundContext,
  ListenSpec,
  TransportListener,
  TransportOptions,
  TransportProtocol,
  TransportStats,
} from './types.js';
import { UdpTransport } from './udp-transport.js';
import { stampReceived } from './via-received.js';

const DEFAULT_TCP_IDLE_TIMEOUT_MS = 32_000;
const DEFAULT_TCP_CONNECT_TIMEOUT_MS = 10_000;
const DEFAULT_TCP_INCOMPLETE_MESSAGE_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_TCP_CONNECTIONS = 4096;

type State = 'new' | 'starting' | 'started' | 'closed';

export class TransportLayer {
  private readonly transports = new Map<TransportProtocol, Transport>();
  private readonly logger: Logger;
  private readonly limits: Partial<ParseLimits>;
  private readonly advertisedAddress: string | undefined;
  private readonly counters: TransportStats;
  private listener: TransportListener | undefined;
  private state: State = 'new';
  private closing: Promise<void> | undefined;

  constructor(options: TransportOptions) {
    this.logger = options.logger ?? silentLogger();
    this.limits = options.limits ?? {};
    this.advertisedAddress = options.advertisedAddress;
    for (const spec of options.listen) validateListenSpec(spec);
    const transports = this.transports;
    this.counters = {
      received: 0,
      sent: 0,
      parseErrors: 0,
      dropped: 0,
      badRequestsAnswered: 0,
      get tcpConnections() {
        return transports.get('tcp')?.connectionCount ?? 0;
      },
    };
    const sink: TransportSink = {
      onPacket: (data, ctx) => {
        this.onPacket(data, ctx);
      },
      onFramingError: (error, ctx) => this.onFramingError(error, ctx),
      onConnectionClosed: (id, error) => {
        this.onConnectionClosed(id, error);
      },
    };
    const udp = options.listen.filter((l) => l.protocol === 'udp');
    const tcp = options.listen.filter((l) => l.protocol === 'tcp');
    if (udp.length > 0)
      this.transports.set('udp', new UdpTransport({ listen: udp, logger: this.logger }, sink));
    if (tcp.length > 0) {
      this.transports.set(
        'tcp',
        new TcpTransport(
          {
            listen: tcp,
            limits: this.limits,
            idleTimeoutMs: options.tcpIdleTimeoutMs ?? DEFAULT_TCP_IDLE_TIMEOUT_MS,
            connectTimeoutMs: options.tcpConnectTimeoutMs ?? DEFAULT_TCP_CONNECT_TIMEOUT_MS,
            incompleteMessageTimeoutMs:
              options.tcpIncompleteMessageTimeoutMs ?? DEFAULT_TCP_INCOMPLETE_MESSAGE_TIMEOUT_MS,
            maxConnections: options.maxTcpConnections ?? DEFAULT_MAX_TCP_CONNECTIONS,
            logger: this.logger,
          },
          sink,
        ),
      );
    }
  }

  /** Counters; `tcpConnections` is the number open right now. */
  get stats(): Readonly<TransportStats> {
    return this.counters;
  }

  /** Binds every listener; rejects with HoldgateError HG_ERR_SIP_TRANSPORT (and binds nothing). */
  async start(): Promise<void> {
    if (this.state !== 'new')
      throw transportError(`cannot start a transport layer that is ${this.state}`);
    this.state = 'starting';
    try {
      for (const t of this.transports.values()) await t.start();
    } catch (err) {
      await Promise.all([...this.transports.values()].map((t) => t.close()));
      this.state = 'closed';
      throw err;
    }
    this.state = 'started';
    this.logger.info({ endpoints: this.localEndpoints() }, 'sip transport listening');
  }

  /** Closes every socket and connection; idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.state = 'closed';
      await Promise.all([...this.transports.values()].map((t) => t.close()));
    })();
    return this.closing;
  }

  setListener(listener: TransportListener): void {
    this.listener = listener;
  }

  /**
   * Sends a request (or a response to an explicit endpoint). TCP reuses `connectionId` if still
   * open, else a connection to `to`, else connects. Rejects with HoldgateError HG_ERR_SIP_TRANSPORT.
   */
  async send(message: SipMessage, to: Endpoint, connectionId?: string): Promise<void> {
    const transport = this.transportFor(to);
    await transport.send(message.serialize(), to, { connectionId });
    this.counters.sent++;
  }

  /**
   * RFC 3261 §18.2.2 + RFC 3581 §4: on the request's connection if it is still open (whatever the
   * Via says), else to the destination computed from the top Via (see {@link responseDestination}).
   */
  async sendResponse(response: SipResponse, connectionId: string | undefined): Promise<void> {
    const data = response.serialize();
    if (connectionId !== undefined) {
      for (const t of this.transports.values()) {
        if (t.reliable && t.hasConnection(connectionId)) {
          const dest = safeDestination(response) ?? {
            protocol: t.protocol,
            address: '0.0.0.0',
            port: 0,
          };
          await t.send(data, dest, { connectionId });
          this.counters.sent++;
          return;
        }
      }
    }
    const to = responseDestination(response);
    await this.transportFor(to).send(data, to, { connectionId });
    this.counters.sent++;
  }

  isReliable(protocol: TransportProtocol): boolean {
    return protocol !== 'udp';
  }

  /**
   * Host and port for our Via sent-by and Contact, for a protocol and the destination's address
   * family. IPv6 hosts come bracketed (`[::1]`), ready for a Via or URI. A wildcard listener
   * advertises `advertisedAddress`, else the first non-internal interface address of that family.
   */
  sentBy(protocol: TransportProtocol, family: 4 | 6): { host: string; port: number } {
    const transport = this.transports.get(protocol);
    const endpoints = transport?.endpoints() ?? [];
    const ep =
      endpoints.find((e) => addressFamily(e.address) === family) ??
      endpoints.find((e) => e.address === '::') ??
      endpoints[0];
    if (ep === undefined) throw transportError(`no ${protocol} listener`);
    const host = isWildcard(ep.address)
      ? (this.advertisedAddress ?? interfaceAddress(family))
      : ep.address;
    return { host: sipHost(host), port: ep.port };
  }

  localEndpoints(): readonly Endpoint[] {
    return [...this.transports.values()].flatMap((t) => t.endpoints());
  }

  private transportFor(to: Endpoint): Transport {
    const t = this.transports.get(to.protocol);
    if (t === undefined) {
      // FIXME(rfc3261 §26.2): TLS is not implemented yet.
      throw transportError(`no ${to.protocol} transport`, to);
    }
    return t;
  }

  /**
   * One inbound datagram or framed stream message. Responses are passed up even when their top Via
   * sent-by is not ours (RFC 3261 §18.1.2 says discard; the transaction layer matches and decides).
   */
  private onPacket(data: Buffer, ctx: InboundContext): void {
    if (this.state === 'closed') return;
    if (ctx.connectionId === undefined && isBlank(data)) return; // UDP CRLF keep-alive
    this.counters.received++;
    const parsed = parseMessage(data, this.limits, { stream: ctx.connectionId !== undefined });
    if (!parsed.ok) {
      this.counters.parseErrors++;
      this.answerBadRequest(parsed.error, ctx);
      return;
    }
    const message = parsed.message;
    if (message.kind === 'request' && !stampReceived(message, ctx.source)) {
      this.counters.dropped++;
      return;
    }
    const listener = this.listener;
    if (listener === undefined) {
      this.counters.dropped++;
      return;
    }
    try {
      listener.onMessage(message, ctx);
    } catch (err) {
      this.logger.error({ err }, 'sip transport listener threw');
    }
  }

  /** RFC 3261 §8.2.6 via the message layer: answer what can be identified, drop the rest. */
  private answerBadRequest(error: SipParseError, ctx: InboundContext): void {
    const response = buildErrorResponse(error);
    if (response === undefined) {
      this.counters.dropped++;
      return;
    }
    this.counters.badRequestsAnswered++;
    const transport = this.transports.get(ctx.source.protocol);
    if (transport === undefined) return;
    transport
      .send(response.serialize(), ctx.source, { connectionId: ctx.connectionId, local: ctx.local })
      .then(
        () => {
          this.counters.sent++;
        },
        () => {
          // The peer went away; nothing else to do for a message we could not parse.
        },
      );
  }

  private onFramingError(error: SipParseError, _ctx: InboundContext): Buffer | undefined {
    this.counters.received++;
    this.counters.parseErrors++;
    const response = buildErrorResponse(error);
    if (response === undefined) {
      this.counters.dropped++;
      return undefined;
    }
    this.counters.badRequestsAnswered++;
    this.counters.sent++;
    return response.serialize();
  }

  private onConnectionClosed(connectionId: string, error: Error | undefined): void {
    if (error) this.logger.debug({ connectionId, err: error }, 'sip connection closed with error');
    try {
      this.listener?.onConnectionClosed?.(connectionId, error);
    } catch (err) {
      this.logger.error({ err }, 'sip transport listener threw');
    }
  }
}

function validateListenSpec(spec: ListenSpec): void {
  const ep: Endpoint = { protocol: spec.protocol, address: spec.address, port: spec.port };
  if (addressFamily(spec.address) === 0 || spec.address.startsWith('[')) {
    throw transportError('listen address must be an IP literal without brackets', ep);
  }
  if (!Number.isInteger(spec.port) || spec.port < 0 || spec.port > 65535)
    throw transportError('listen port out of range', ep);
}

function safeDestination(response: SipResponse): Endpoint | undefined {
  try {
    return responseDestination(response);
  } catch {
    return undefined;
  }
}

/** A datagram of only CR/LF/SP: a keep-alive, not a message (RFC 5626 §3.5.1 style). */
function isBlank(data: Buffer): boolean {
  for (const b of data) {
    if (b !== 0x0d && b !== 0x0a && b !== 0x20) return false;
  }
  return true;
}

const interfaceAddressCache = new Map<4 | 6, string>();

function interfaceAddress(family: 4 | 6): string {
  const cached = interfaceAddressCache.get(family);
  if (cached !== undefined) return cached;
  let found: string | undefined;
  for (const list of Object.values(networkInterfaces())) {
    for (const info of list ?? []) {
      const f = info.family === 'IPv6' ? 6 : 4;
      if (!info.internal && f === family && !(f === 6 && info.address.startsWith('fe80'))) {
        found = info.address;
        break;
      }
    }
    if (found !== undefined) break;
  }
  const address = found ?? (family === 6 ? '::1' : '127.0.0.1');
  interfaceAddressCache.set(family, address);
  return address;
}
