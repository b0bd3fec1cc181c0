/**
 * SIP over TCP (RFC 3261 §18.3): listening sockets, outgoing connections, and connection reuse
 * keyed by the remote `ip:port` (RFC 3261 §18.1.1, §18.2.2). Incoming connections are reusable for
 * sending to the remote address and port they came from.
 *
 * FIXME(rfc5923 §5): no connection aliasing; a request to a peer's listening port opens a new
 * connection even if that peer already connected to us from an ephemeral port.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { DEFAULT_PARSE_LIMITS, type ParseLimits } from '../message/index.js';
import type { Logger } from '../../shared/logger.js';
import { addressFamily, endpointKey, isWildcard, normalizeAddress } from './endpoint-address.js';
import { TcpConnection, type TcpConnectionEvents } from './tcp-connection.js';
import { transportError } from './transport-error.js';
import type { SendOptions, Transport, TransportSink } from './transport.js';
import type { Endpoint, ListenSpec } from './types.js';

export interface TcpTransportOptions {
  readonly listen: readonly ListenSpec[];
  readonly limits: Partial<ParseLimits>;
  readonly idleTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly incompleteMessageTimeoutMs: number;
  readonly maxConnections: number;
  readonly logger: Logger;
}

interface Listening {
  readonly spec: ListenSpec;
  readonly server: Server;
  endpoint: Endpoint;
}

export class TcpTransport implements Transport {
  readonly protocol = 'tcp' as const;
  readonly reliable = true;
  private readonly listening: Listening[] = [];
  private readonly byId = new Map<string, TcpConnection>();
  private readonly byRemote = new Map<string, TcpConnection>();
  private readonly connecting = new Map<string, Promise<TcpConnection>>();
  private readonly connectionEvents: TcpConnectionEvents;
  private seq = 0;
  private closed = false;

  constructor(
    private readonly options: TcpTransportOptions,
    private readonly sink: TransportSink,
  ) {
    this.connectionEvents = {
      onMessage: (data, conn) => {
        this.sink.onPacket(data, conn.ctx);
      },
      onFramingError: (error, conn) => this.sink.onFramingError(error, conn.ctx),
      onClose: (conn, error) => {
        this.forget(conn);
        if (!this.closed) this.sink.onConnectionClosed(conn.id, error);
      },
    };
  }

  get connectionCount(): number {
    return this.byId.size;
  }

  async start(): Promise<void> {
    for (const spec of this.options.listen) {
      const server = createServer({ noDelay: true });
      const entry: Listening = {
        spec,
        server,
        endpoint: { protocol: 'tcp', address: spec.address, port: spec.port },
      };
      this.listening.push(entry);
      await new Promise<void>((resolve, reject) => {
        const onError = (err: Error): void => {
          reject(
            transportError(
              `cannot listen on tcp ${spec.address}:${spec.port}`,
              entry.endpoint,
              err,
            ),
          );
        };
        server.once('error', onError);
        server.listen(
          { host: spec.address, port: spec.port, ipv6Only: this.ipv6Only(spec) },
          () => {
            server.off('error', onError);
            resolve();
          },
        );
      });
      const addr = server.address();
      if (addr !== null && typeof addr === 'object') {
        entry.endpoint = {
          protocol: 'tcp',
          address: normalizeAddress(spec.address),
          port: addr.port,
        };
      }
      server.on('error', (err) => {
        this.options.logger.warn({ err, listen: entry.endpoint }, 'sip tcp listener error');
      });
      server.on('connection', (socket) => {
        this.accept(socket);
      });
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const conn of this.byId.values()) conn.destroy();
    await Promise.all(
      this.listening.map(
        (l) =>
          new Promise<void>((resolve) => {
            if (!l.server.listening) {
              resolve();
              return;
            }
            l.server.close(() => {
              resolve();
            });
          }),
      ),
    );
  }

  endpoints(): readonly Endpoint[] {
    return this.listening.map((l) => l.endpoint);
  }

  hasConnection(connectionId: string): boolean {
    return this.byId.get(connectionId)?.open ?? false;
  }

  /**
   * Sends on `connectionId` if still open, else on an open connection to `to`, else on a new one
   * (concurrent sends to the same endpoint share one connect). An existing connection is written
   * synchronously, so writes keep their call order.
   */
  send(data: Buffer, to: Endpoint, options?: SendOptions): Promise<void> {
    if (this.closed) return Promise.reject(transportError('transport is closed', to));
    const byId =
      options?.connectionId === undefined ? undefined : this.byId.get(options.connectionId);
    if (byId?.open) return byId.write(data);
    const key = endpointKey(to);
    const existing = this.byRemote.get(key);
    if (existing?.open) return existing.write(data);
    return this.connect(to, key).then((conn) => conn.write(data));
  }

  private ipv6Only(spec: ListenSpec): boolean {
    // A wildcard `::` next to an IPv4 listener must not also take the IPv4 traffic (EADDRINUSE).
    return spec.address === '::' && this.options.listen.some((l) => addressFamily(l.address) === 4);
  }

  private connect(to: Endpoint, key: string): Promise<TcpConnection> {
    const pending = this.connecting.get(key);
    if (pending) return pending;
    if (this.byId.size + this.connecting.size >= this.options.maxConnections) {
      // FIXME(rfc3261 §18.3): could close the least recently used idle connection instead.
      return Promise.reject(
        transportError(`tcp connection limit ${this.options.maxConnections} reached`, to),
      );
    }
    const family = addressFamily(to.address);
    if (family === 0) return Promise.reject(transportError('destination is not an IP literal', to));
    const localAddress = this.options.listen.find(
      (l) => !isWildcard(l.address) && addressFamily(l.address) === family,
    )?.address;
    const promise = new Promise<TcpConnection>((resolve, reject) => {
      const socket = connect({
        host: normalizeAddress(to.address),
        port: to.port,
        family,
        noDelay: true,
        ...(localAddress === undefined ? {} : { localAddress }),
      });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(
          transportError(`tcp connect timed out after ${this.options.connectTimeoutMs} ms`, to),
        );
      }, this.options.connectTimeoutMs);
      const onError = (err: Error): void => {
        clearTimeout(timer);
        reject(transportError('tcp connect failed', to, err));
      };
      socket.on('error', onError);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.off('error', onError);
        if (this.closed) {
          socket.destroy();
          reject(transportError('transport is closed', to));
          return;
        }
        resolve(
          this.adopt(socket, {
            protocol: 'tcp',
            address: normalizeAddress(to.address),
            port: to.port,
          }),
        );
      });
    });
    const tracked = promise.finally(() => {
      this.connecting.delete(key);
    });
    this.connecting.set(key, tracked);
    return tracked;
  }

  private accept(socket: Socket): void {
    const address = socket.remoteAddress;
    const port = socket.remotePort;
    if (
      this.closed ||
      address === undefined ||
      port === undefined ||
      this.byId.size >= this.options.maxConnections
    ) {
      socket.destroy();
      return;
    }
    this.adopt(socket, { protocol: 'tcp', address: normalizeAddress(address), port });
  }

  private adopt(socket: Socket, remote: Endpoint): TcpConnection {
    const id = `tcp-${++this.seq}`;
    const conn = new TcpConnection(socket, id, remote, this.connectionEvents, {
      idleTimeoutMs: this.options.idleTimeoutMs,
      incompleteMessageTimeoutMs: this.options.incompleteMessageTimeoutMs,
      limits: this.options.limits,
      maxMessageBytes: this.options.limits.maxMessageBytes ?? DEFAULT_PARSE_LIMITS.maxMessageBytes,
    });
    this.byId.set(id, conn);
    this.byRemote.set(endpointKey(remote), conn);
    return conn;
  }

  private forget(conn: TcpConnection): void {
    this.byId.delete(conn.id);
    const key = endpointKey(conn.remote);
    if (this.byRemote.get(key) === conn) this.byRemote.delete(key);
  }
}
