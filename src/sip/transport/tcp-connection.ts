/**
 * One SIP-over-TCP connection (RFC 3261 §18.3): reassembles the byte stream into messages with
 * Content-Length framing, answers RFC 5626 §4.4.1 keep-alive pings, closes itself when idle or when
 * a message stays half received, and reports its end exactly once.
 */
import type { Socket } from 'node:net';
import { frameStream, type ParseLimits, type SipParseError } from '../message/index.js';
import { HoldgateError } from '../../errors/registry.js';
import { ByteQueue } from './byte-queue.js';
import { normalizeAddress } from './endpoint-address.js';
import { transportError } from './transport-error.js';
import type { Endpoint, InboundContext } from './types.js';

const CR = 0x0d;
const LF = 0x0a;
const PONG = Buffer.from('\r\n');
/** Unflushed bytes to a peer that does not read before the connection is given up. */
const MAX_PENDING_WRITE_BYTES = 4 * 1024 * 1024;

export interface TcpConnectionEvents {
  onMessage(data: Buffer, conn: TcpConnection): void;
  /** Returns an error response to write before closing, if any. */
  onFramingError(error: SipParseError, conn: TcpConnection): Buffer | undefined;
  onClose(conn: TcpConnection, error: Error | undefined): void;
}

export interface TcpConnectionOptions {
  readonly idleTimeoutMs: number;
  readonly incompleteMessageTimeoutMs: number;
  readonly limits: Partial<ParseLimits>;
  readonly maxMessageBytes: number;
}

export class TcpConnection {
  readonly id: string;
  readonly remote: Endpoint;
  readonly local: Endpoint;
  readonly ctx: InboundContext;
  private readonly queue = new ByteQueue(2048);
  /** Where the search for the blank line ending the header section resumes. */
  private headerScan = 0;
  /** Total length of the message being received, once its header section is complete. */
  private expectedLength: number | undefined;
  private incompleteTimer: NodeJS.Timeout | undefined;
  private closing = false;
  private closed = false;
  private closeError: Error | undefined;

  constructor(
    private readonly socket: Socket,
    id: string,
    remote: Endpoint,
    private readonly events: TcpConnectionEvents,
    private readonly options: TcpConnectionOptions,
  ) {
    this.id = id;
    this.remote = remote;
    this.local = {
      protocol: 'tcp',
      address: normalizeAddress(socket.localAddress ?? ''),
      port: socket.localPort ?? 0,
    };
    this.ctx = { source: remote, local: this.local, connectionId: id };
    socket.setNoDelay(true);
    socket.setTimeout(options.idleTimeoutMs);
    socket.on('data', (chunk: Buffer) => {
      this.onData(chunk);
    });
    socket.on('timeout', () => {
      // RFC 3261 §18.3 leaves connection lifetime to the implementation; idle ones are closed.
      this.end();
    });
    socket.on('error', (err: Error) => {
      this.closeError ??= transportError(`connection ${id} failed`, remote, err);
    });
    socket.on('close', () => {
      this.onSocketClose();
    });
  }

  get open(): boolean {
    return !this.closing && !this.closed;
  }

  /** Write bytes; resolves once handed to the kernel. The write is issued synchronously. */
  write(data: Buffer): Promise<void> {
    if (!this.open) {
      return Promise.reject(transportError(`connection ${this.id} is closed`, this.remote));
    }
    if (this.socket.writableLength > MAX_PENDING_WRITE_BYTES) {
      const err = transportError(`connection ${this.id} peer is not reading`, this.remote);
      this.destroy(err);
      return Promise.reject(err);
    }
    return new Promise((resolve, reject) => {
      this.socket.write(data, (err) => {
        if (err) reject(transportError(`write on ${this.id} failed`, this.remote, err));
        else resolve();
      });
    });
  }

  /** Orderly close: flush, FIN, then release. */
  end(data?: Buffer): void {
    if (!this.open) return;
    this.closing = true;
    this.clearIncompleteTimer();
    const destroy = (): void => {
      this.socket.destroy();
    };
    if (data) this.socket.end(data, destroy);
    else this.socket.end(destroy);
  }

  /** Immediate close; `error` is reported to the listener. */
  destroy(error?: Error): void {
    if (this.closed) return;
    if (error) this.closeError ??= error;
    this.closing = true;
    this.clearIncompleteTimer();
    this.socket.destroy();
  }

  private onSocketClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.closing = true;
    this.clearIncompleteTimer();
    this.queue.clear();
    this.events.onClose(this, this.closeError);
  }

  private onData(chunk: Buffer): void {
    if (!this.open) return;
    this.queue.append(chunk);
    try {
      this.drain();
    } catch (err) {
      // Never throw out of a socket callback: a defect here costs this connection only.
      this.destroy(transportError(`connection ${this.id} input failed`, this.remote, err));
    }
  }

  private drain(): void {
    let framed = false;
    while (this.open) {
      const buf = this.queue.view();
      if (buf.length === 0) break;
      const first = buf[0];
      if (first === CR || first === LF) {
        const n = this.keepAlive(buf);
        if (n === 0) break;
        this.queue.consume(n);
        this.headerScan = 0;
        this.expectedLength = undefined;
        continue;
      }
      if (!this.headerComplete(buf)) {
        if (buf.length > this.options.maxMessageBytes) this.frame(buf);
        break;
      }
      if (this.expectedLength !== undefined && buf.length < this.expectedLength) break;
      const consumed = this.frame(buf);
      if (consumed === 0) break;
      framed = true;
    }
    this.armIncompleteTimer(framed);
  }

  /**
   * RFC 5626 §4.4.1: a double CRLF is a ping answered by a single CRLF pong; a single CRLF (a pong,
   * or padding between messages per RFC 3261 §7.5) is ignored. Returns bytes consumed, 0 = need more.
   */
  private keepAlive(buf: Buffer): number {
    if (buf[0] === CR && buf[1] === LF) {
      if (buf.length < 3) return 0;
      if (buf[2] !== CR) return 2;
      if (buf.length < 4) return 0;
      if (buf[3] === LF) {
        this.socket.write(PONG);
        return 4;
      }
      return 2;
    }
    if (buf[0] === CR && buf.length < 2) return 0;
    return 1;
  }

  /** Linear search for the blank line ending the header section, resumed across segments. */
  private headerComplete(buf: Buffer): boolean {
    let i = buf.indexOf(LF, this.headerScan);
    while (i !== -1) {
      if (i >= 1 && (buf[i - 1] === LF || (buf[i - 1] === CR && i >= 2 && buf[i - 2] === LF))) {
        return true;
      }
      i = buf.indexOf(LF, i + 1);
    }
    this.headerScan = buf.length;
    return false;
  }

  /** Frames one message off the queue; returns bytes consumed (0 = incomplete or closed). */
  private frame(buf: Buffer): number {
    const r = frameStream(buf, this.options.limits);
    switch (r.kind) {
      case 'incomplete':
        this.expectedLength ??= this.probeLength(buf);
        if (buf.length > this.options.maxMessageBytes) {
          this.destroy(
            new HoldgateError(
              'HG_ERR_SIP_LIMIT',
              `stream message over ${this.options.maxMessageBytes} bytes`,
            ),
          );
        }
        return 0;
      case 'keepalive':
        this.queue.consume(r.length);
        this.headerScan = 0;
        this.expectedLength = undefined;
        return r.length;
      case 'message': {
        const data = this.queue.copyHead(r.length);
        this.queue.consume(r.length);
        this.headerScan = 0;
        this.expectedLength = undefined;
        this.events.onMessage(data, this);
        return r.length;
      }
      case 'error': {
        // The stream cannot be resynchronized after a framing error: answer if possible, then close.
        this.queue.clear();
        const reply = this.events.onFramingError(r.error, this);
        this.closeError ??= r.error;
        this.end(reply);
        return 0;
      }
    }
  }

  /**
   * The total length of a message whose header section is complete but whose body is not, asked
   * of `frameStream` itself by padding the body with zeros up to the size limit. Later segments
   * then cost nothing until the body is complete, instead of a header re-scan per segment (a
   * body trickled one byte per segment after a large header section would cost quadratic time).
   */
  private probeLength(buf: Buffer): number | undefined {
    const max = this.options.maxMessageBytes;
    if (buf.length >= max) return undefined;
    const scratch = scratchBuffer(max);
    buf.copy(scratch);
    scratch.fill(0, buf.length);
    const r = frameStream(scratch, this.options.limits);
    return r.kind === 'message' && r.length > buf.length ? r.length : undefined;
  }

  /** Starts the half-received-message timer when a new partial message is pending. */
  private armIncompleteTimer(restart: boolean): void {
    const pending = this.queue.length;
    const onlyCrlf =
      pending > 0 && pending < 4 && this.queue.view().every((b) => b === CR || b === LF);
    if (!this.open || pending === 0 || onlyCrlf) {
      this.clearIncompleteTimer();
      return;
    }
    if (this.incompleteTimer === undefined) {
      this.incompleteTimer = setTimeout(() => {
        this.destroy(
          transportError(
            `connection ${this.id}: message incomplete after ${this.options.incompleteMessageTimeoutMs} ms`,
            this.remote,
          ),
        );
      }, this.options.incompleteMessageTimeoutMs);
      this.incompleteTimer.unref();
    } else if (restart) {
      this.incompleteTimer.refresh();
    }
  }

  private clearIncompleteTimer(): void {
    if (this.incompleteTimer !== undefined) {
      clearTimeout(this.incompleteTimer);
      this.incompleteTimer = undefined;
    }
  }
}

let scratch: Buffer | undefined;

/** One shared padding buffer (single-threaded; frameStream keeps no reference to its input). */
function scratchBuffer(size: number): Buffer {
  if (scratch === undefined || scratch.length !== size) scratch = Buffer.alloc(size);
  return scratch;
}
