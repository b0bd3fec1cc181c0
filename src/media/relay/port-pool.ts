import { createSocket, type Socket } from 'node:dgram';
import { isIP } from 'node:net';
import { HoldgateError } from '../../errors/registry.js';

/** Options of a {@link PortPool}: one local address and an inclusive UDP port range. */
export interface PortPoolOptions {
  /** Local IP literal the sockets bind to (IPv4 or IPv6). */
  readonly address: string;
  /** Lowest port of the range (inclusive); rounded up to even. */
  readonly minPort: number;
  /** Highest port of the range (inclusive). */
  readonly maxPort: number;
  /**
   * Milliseconds a released pair rests before it is handed out again (default 2000). Late
   * packets from the previous call's peers arrive at a socket nobody listens to and are
   * discarded, so they cannot latch the next call.
   */
  readonly quarantineMs?: number;
  /** Kernel receive buffer per socket in bytes (default: the OS default). */
  readonly recvBufferSize?: number;
}

/** A bound RTP/RTCP socket pair: RTP on an even port, RTCP on the next odd one (RFC 3550 §11). */
export interface PortPair {
  readonly address: string;
  readonly rtpPort: number;
  readonly rtcpPort: number;
  readonly rtp: Socket;
  readonly rtcp: Socket;
}

interface HeldPair extends PortPair {
  releasedAt: number;
}

/**
 * Binds and holds even/odd RTP/RTCP UDP socket pairs from a port range (RFC 3550 §11: RTP on an
 * even port, RTCP on the next higher odd port). The bound socket itself is what the stream
 * uses: there is no probe-then-rebind window in which another process could take the port.
 *
 * Release keeps the pair bound and puts it on a FIFO free list. Why not close and re-bind:
 * keeping it bound means the port cannot be stolen between calls and call setup needs no bind
 * syscall; closing would discard datagrams queued in the kernel, but Node drains the socket
 * continuously anyway (with no listener they are dropped), and a peer still sending after BYE
 * would hit a re-bound port just the same. The quarantine plus FIFO order gives the longest
 * rest before reuse, so stale packets cannot latch a new call.
 */
export class PortPool {
  readonly address: string;
  readonly minPort: number;
  readonly maxPort: number;
  private readonly quarantineMs: number;
  private readonly recvBufferSize: number | undefined;
  private readonly family: 'udp4' | 'udp6';
  /** Bit per even port: reserved (bound, being bound, or known unusable this round). */
  private readonly held: Uint8Array;
  private readonly free: HeldPair[] = [];
  private freeHead = 0;
  private cursor: number;
  private inUseCount = 0;
  private heldCount = 0;
  private closed = false;
  private readonly all = new Set<HeldPair>();
  /** Asynchronous socket errors (e.g. ICMP unreachable surfaced by the kernel); never fatal. */
  socketErrors = 0;
  private readonly onSocketError = (): void => {
    this.socketErrors++;
  };

  constructor(options: PortPoolOptions) {
    const ipVersion = isIP(options.address);
    if (ipVersion === 0) {
      throw new HoldgateError('HG_ERR_CONFIG_INVALID', `not an IP literal: ${options.address}`);
    }
    const min = options.minPort + (options.minPort % 2);
    if (min < 1024 || options.maxPort > 65535 || min + 1 > options.maxPort) {
      throw new HoldgateError(
        'HG_ERR_CONFIG_INVALID',
        `bad RTP port range ${options.minPort}-${options.maxPort}`,
      );
    }
    this.address = options.address;
    this.minPort = min;
    this.maxPort = options.maxPort;
    this.quarantineMs = options.quarantineMs ?? 2000;
    this.recvBufferSize = options.recvBufferSize;
    this.family = ipVersion === 6 ? 'udp6' : 'udp4';
    this.held = new Uint8Array(this.pairCapacity);
    this.cursor = 0;
  }

  /** Number of even/odd pairs the range can hold. */
  get pairCapacity(): number {
    return Math.floor((this.maxPort - this.minPort + 1) / 2);
  }

  /** Pairs handed out and not yet released. */
  get inUse(): number {
    return this.inUseCount;
  }

  /** Pairs currently bound (in use or resting on the free list). */
  get bound(): number {
    return this.heldCount;
  }

  /**
   * Hands out a bound pair: a rested one from the free list, else a freshly bound one.
   * @throws HoldgateError `HG_ERR_MEDIA_PORTS_EXHAUSTED` when no pair can be bound.
   */
  async acquire(): Promise<PortPair> {
    if (this.closed) throw new HoldgateError('HG_ERR_MEDIA_PORTS_EXHAUSTED', 'pool closed');
    const rested = this.takeRested();
    if (rested) {
      this.inUseCount++;
      return rested;
    }
    const capacity = this.pairCapacity;
    for (let tried = 0; tried < capacity; tried++) {
      const index = this.cursor;
      this.cursor = (this.cursor + 1) % capacity;
      if (this.held[index] !== 0) continue;
      this.held[index] = 1; // reserve before awaiting, so concurrent acquires skip it
      const rtpPort = this.minPort + index * 2;
      const pair = await this.bindPair(rtpPort);
      if (pair) {
        this.heldCount++;
        this.inUseCount++;
        this.all.add(pair);
        return pair;
      }
      this.held[index] = 0; // taken by someone else: try again on a later round
    }
    // Everything bound is in use or still resting: hand out a resting pair rather than fail.
    const resting = this.takeRested(true);
    if (resting) {
      this.inUseCount++;
      return resting;
    }
    throw new HoldgateError(
      'HG_ERR_MEDIA_PORTS_EXHAUSTED',
      `${this.address} ${this.minPort}-${this.maxPort}`,
      { address: this.address, inUse: this.inUseCount, capacity },
    );
  }

  /** Returns a pair to the pool; its sockets stay bound and lose their listeners. */
  release(pair: PortPair): void {
    const held = pair as HeldPair;
    if (!this.all.has(held)) return;
    held.rtp.removeAllListeners('message');
    held.rtcp.removeAllListeners('message');
    held.releasedAt = performance.now();
    this.inUseCount--;
    if (this.closed) {
      this.closePair(held);
      return;
    }
    this.free.push(held);
  }

  /** Closes every socket the pool holds. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const pair of this.all) this.closePair(pair);
    this.all.clear();
    this.free.length = 0;
    this.freeHead = 0;
  }

  private takeRested(ignoreQuarantine = false): HeldPair | undefined {
    if (this.freeHead >= this.free.length) return undefined;
    const head = this.free[this.freeHead]!;
    if (!ignoreQuarantine && performance.now() - head.releasedAt < this.quarantineMs) {
      return undefined;
    }
    this.freeHead++;
    if (this.freeHead > 1024 && this.freeHead * 2 > this.free.length) {
      this.free.splice(0, this.freeHead);
      this.freeHead = 0;
    }
    return head;
  }

  private closePair(pair: HeldPair): void {
    const index = (pair.rtpPort - this.minPort) / 2;
    this.held[index] = 0;
    this.heldCount--;
    pair.rtp.close();
    pair.rtcp.close();
  }

  private async bindPair(rtpPort: number): Promise<HeldPair | undefined> {
    const rtp = await this.bindOne(rtpPort);
    if (!rtp) return undefined;
    const rtcp = await this.bindOne(rtpPort + 1);
    if (!rtcp) {
      rtp.close();
      return undefined;
    }
    return { address: this.address, rtpPort, rtcpPort: rtpPort + 1, rtp, rtcp, releasedAt: 0 };
  }

  /** Binds one socket; undefined when the port is taken, rethrows any other bind error. */
  private bindOne(port: number): Promise<Socket | undefined> {
    return new Promise((resolve, reject) => {
      const socket = createSocket({ type: this.family, reuseAddr: false });
      const onError = (err: NodeJS.ErrnoException): void => {
        socket.close();
        if (err.code === 'EADDRINUSE' || err.code === 'EACCES') resolve(undefined);
        else reject(err);
      };
      socket.once('error', onError);
      socket.bind({ port, address: this.address, exclusive: true }, () => {
        socket.off('error', onError);
        socket.on('error', this.onSocketError);
        if (this.recvBufferSize !== undefined) socket.setRecvBufferSize(this.recvBufferSize);
        resolve(socket);
      });
    });
  }
}
