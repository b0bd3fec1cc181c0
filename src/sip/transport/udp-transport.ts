/**
 * SIP over UDP (RFC 3261 §18.1.1, §18.2.1): one datagram is one message. Sockets get a large
 * receive buffer so bursts survive event-loop pauses under load.
 *
 * FIXME(rfc3261 §18.1.1): requests within 200 bytes of the path MTU should go over TCP; that
 * choice needs the Via transport, so it belongs to whoever builds the Via (transaction user).
 * FIXME(rfc5626 §4.4.2): STUN keep-alives over UDP are not answered.
 * Node reports no ICMP errors for unconnected UDP sockets, so an unreachable port is silent here.
 */
import { createSocket, type Socket } from 'node:dgram';
import type { Logger } from '../../shared/logger.js';
import { addressFamily, normalizeAddress } from './endpoint-address.js';
import { transportError } from './transport-error.js';
import type { SendOptions, Transport, TransportSink } from './transport.js';
import type { Endpoint, ListenSpec } from './types.js';

/** Receive buffer requested per socket (the kernel caps it at net.core.rmem_max). */
const RECV_BUFFER_BYTES = 4 * 1024 * 1024;
const SEND_BUFFER_BYTES = 1024 * 1024;

export interface UdpTransportOptions {
  readonly listen: readonly ListenSpec[];
  readonly logger: Logger;
}

interface Bound {
  readonly socket: Socket;
  readonly family: 4 | 6;
  /** An `::` socket that also carries IPv4 (as IPv4-mapped addresses). */
  readonly dualStack: boolean;
  endpoint: Endpoint;
}

export class UdpTransport implements Transport {
  readonly protocol = 'udp' as const;
  readonly reliable = false;
  readonly connectionCount = 0;
  private readonly bound: Bound[] = [];
  private closed = false;

  constructor(
    private readonly options: UdpTransportOptions,
    private readonly sink: TransportSink,
  ) {}

  async start(): Promise<void> {
    const hasV4 = this.options.listen.some((l) => addressFamily(l.address) === 4);
    for (const spec of this.options.listen) {
      const family = addressFamily(spec.address) === 6 ? 6 : 4;
      const ipv6Only = family === 6 && hasV4;
      const socket = createSocket({ type: family === 6 ? 'udp6' : 'udp4', ipv6Only });
      const entry: Bound = {
        socket,
        family,
        dualStack: spec.address === '::' && !ipv6Only,
        endpoint: { protocol: 'udp', address: normalizeAddress(spec.address), port: spec.port },
      };
      this.bound.push(entry);
      await new Promise<void>((resolve, reject) => {
        const onError = (err: Error): void => {
          reject(
            transportError(`cannot bind udp ${spec.address}:${spec.port}`, entry.endpoint, err),
          );
        };
        socket.once('error', onError);
        socket.bind({ address: spec.address, port: spec.port, exclusive: true }, () => {
          socket.off('error', onError);
          resolve();
        });
      });
      entry.endpoint = {
        protocol: 'udp',
        address: entry.endpoint.address,
        port: socket.address().port,
      };
      this.tuneBuffers(socket, entry.endpoint);
      socket.on('error', (err) => {
        // Asynchronous socket errors must not take the process down; sends report their own.
        this.options.logger.warn({ err, listen: entry.endpoint }, 'sip udp socket error');
      });
      const local = entry.endpoint;
      socket.on('message', (data, rinfo) => {
        try {
          this.sink.onPacket(data, {
            source: { protocol: 'udp', address: normalizeAddress(rinfo.address), port: rinfo.port },
            local,
            connectionId: undefined,
          });
        } catch (err) {
          this.options.logger.error({ err }, 'sip udp inbound handler threw');
        }
      });
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(
      this.bound.map(
        (b) =>
          new Promise<void>((resolve) => {
            try {
              b.socket.close(() => {
                resolve();
              });
            } catch {
              resolve(); // never bound, or already closed
            }
          }),
      ),
    );
  }

  endpoints(): readonly Endpoint[] {
    return this.bound.map((b) => b.endpoint);
  }

  hasConnection(): boolean {
    return false;
  }

  send(data: Buffer, to: Endpoint, options?: SendOptions): Promise<void> {
    if (this.closed) return Promise.reject(transportError('transport is closed', to));
    const address = normalizeAddress(to.address);
    const family = addressFamily(address);
    if (family === 0) return Promise.reject(transportError('destination is not an IP literal', to));
    const from = this.pick(family, options?.local);
    if (from === undefined) {
      return Promise.reject(transportError(`no udp socket for IPv${family} destinations`, to));
    }
    const target = from.family === 6 && family === 4 ? `::ffff:${address}` : address;
    return new Promise((resolve, reject) => {
      from.socket.send(data, to.port, target, (err) => {
        if (err) reject(transportError('udp send failed', to, err));
        else resolve();
      });
    });
  }

  private pick(family: 4 | 6, local: Endpoint | undefined): Bound | undefined {
    if (local) {
      const exact = this.bound.find(
        (b) =>
          b.endpoint.port === local.port && b.endpoint.address === normalizeAddress(local.address),
      );
      if (exact && (exact.family === family || exact.dualStack)) return exact;
    }
    return (
      this.bound.find((b) => b.family === family) ??
      (family === 4 ? this.bound.find((b) => b.dualStack) : undefined)
    );
  }

  private tuneBuffers(socket: Socket, endpoint: Endpoint): void {
    try {
      socket.setRecvBufferSize(RECV_BUFFER_BYTES);
      socket.setSendBufferSize(SEND_BUFFER_BYTES);
    } catch (err) {
      this.options.logger.warn({ err, listen: endpoint }, 'sip udp socket buffer size not applied');
    }
  }
}
