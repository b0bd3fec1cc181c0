/**
 * Appends spool records (see spool-format.ts) into preallocated buffers and makes them durable:
 * write + fsync at least every `flushIntervalMs` (default 1000: a crash loses at most a second),
 * and whenever a buffer fills. Appending never allocates in the steady state (a small pool of
 * buffers: one filling, one being written).
 *
 * An fsync (or write) failure is final: the writer stops, keeps the file and reports the error;
 * it never retries and believes (after a failed fsync the kernel may have dropped the dirty
 * pages, so a later successful fsync proves nothing).
 */
import { open as openFile } from 'node:fs/promises';
import {
  encodeHeader,
  FRAME_BYTES,
  FRAME_SAMPLES,
  RECORD_HEAD_BYTES,
  RecordKind,
  type SpoolHeader,
  type SpoolNote,
} from './spool-format.js';

/** The part of a file handle the writer uses; injectable for tests. */
export interface SpoolFile {
  write(
    buffer: Buffer,
    offset: number,
    length: number,
    position: number,
  ): Promise<{ bytesWritten: number }>;
  sync(): Promise<void>;
  close(): Promise<void>;
}

/** Opens a new spool file exclusively (fails if it exists). */
export type SpoolOpener = (path: string) => Promise<SpoolFile>;

export const openSpoolFile: SpoolOpener = (path) => openFile(path, 'wx');

export interface SpoolWriterOptions {
  open?: SpoolOpener;
  /** Default 1000 ms. */
  flushIntervalMs?: number;
  /** Bytes per buffer. Default 256 KiB (≈ 8 s of both directions). */
  bufferBytes?: number;
  /** Monotonic ms clock for the append-driven flush check. Default `performance.now`. */
  clock?: () => number;
  /** Called once on the first write/fsync failure. */
  onFailure?: (err: unknown) => void;
}

export class SpoolWriter {
  private active: Buffer;
  private used = 0;
  private readonly free: Buffer[] = [];
  private position = 0;
  private chain: Promise<void> = Promise.resolve();
  private lastFlushMs: number;
  private readonly timer: NodeJS.Timeout;
  private closed = false;
  private failure: unknown;
  private hasFailed = false;
  /** Bytes known durable (written and fsync'd). */
  durableBytes = 0;
  syncCount = 0;
  framesAppended = 0;

  private constructor(
    private readonly file: SpoolFile,
    private readonly bufferBytes: number,
    private readonly flushIntervalMs: number,
    private readonly clock: () => number,
    private readonly onFailure: ((err: unknown) => void) | undefined,
  ) {
    this.active = Buffer.allocUnsafe(bufferBytes);
    this.free.push(Buffer.allocUnsafe(bufferBytes));
    this.lastFlushMs = clock();
    this.timer = setInterval(() => void this.flush(), flushIntervalMs);
    this.timer.unref();
  }

  /** Creates the spool, writes the header and fsyncs it before returning. */
  static async create(
    path: string,
    header: SpoolHeader,
    options: SpoolWriterOptions = {},
  ): Promise<SpoolWriter> {
    const file = await (options.open ?? openSpoolFile)(path);
    const writer = new SpoolWriter(
      file,
      Math.max(4096, options.bufferBytes ?? 256 * 1024),
      options.flushIntervalMs ?? 1000,
      options.clock ?? (() => performance.now()),
      options.onFailure,
    );
    writer.appendBytes(encodeHeader(header));
    await writer.flush();
    return writer;
  }

  get failed(): boolean {
    return this.hasFailed;
  }

  get error(): unknown {
    return this.failure;
  }

  /** Appends one 20 ms frame (copied; ≤ 160 samples, zero-padded). */
  appendFrame(
    kind: typeof RecordKind.Caller | typeof RecordKind.Agent,
    tMs: number,
    pcm: Int16Array,
  ): void {
    if (this.closed || this.hasFailed) return;
    this.reserve(RECORD_HEAD_BYTES + FRAME_BYTES);
    const buf = this.active;
    let off = this.used;
    buf[off] = kind;
    buf.writeUInt32LE(Math.max(0, Math.round(tMs)) >>> 0, off + 1);
    off += RECORD_HEAD_BYTES;
    const n = Math.min(pcm.length, FRAME_SAMPLES);
    for (let i = 0; i < n; i++) buf.writeInt16LE(pcm[i]!, off + 2 * i);
    if (n < FRAME_SAMPLES) buf.fill(0, off + 2 * n, off + FRAME_BYTES);
    this.used = off + FRAME_BYTES;
    this.framesAppended++;
    this.maybeFlush();
  }

  /** Appends a note (gate event, consent outcome, codec). */
  appendNote(tMs: number, note: SpoolNote): void {
    if (this.closed || this.hasFailed) return;
    const json = Buffer.from(JSON.stringify(note), 'utf8');
    if (json.length > 0xffff) throw new RangeError('spool note too long');
    this.reserve(RECORD_HEAD_BYTES + 2 + json.length);
    const buf = this.active;
    buf[this.used] = RecordKind.Note;
    buf.writeUInt32LE(Math.max(0, Math.round(tMs)) >>> 0, this.used + 1);
    buf.writeUInt16LE(json.length, this.used + RECORD_HEAD_BYTES);
    json.copy(buf, this.used + RECORD_HEAD_BYTES + 2);
    this.used += RECORD_HEAD_BYTES + 2 + json.length;
    this.maybeFlush();
  }

  /** Writes what is buffered and fsyncs; resolves when durable (or failed). Serialized. */
  flush(): Promise<void> {
    if (this.hasFailed) return this.chain;
    const buf = this.active;
    const length = this.used;
    if (length > 0) {
      this.active = this.free.pop() ?? Buffer.allocUnsafe(this.bufferBytes);
      this.used = 0;
    }
    this.lastFlushMs = this.clock();
    this.chain = this.chain.then(() => this.writeOut(buf, length));
    return this.chain;
  }

  /** Appends the end record, flushes, fsyncs and closes. The file is kept in every case. */
  async close(endMs: number): Promise<void> {
    if (this.closed) return this.chain;
    if (!this.hasFailed) {
      this.reserve(RECORD_HEAD_BYTES);
      this.active[this.used] = RecordKind.End;
      this.active.writeUInt32LE(Math.max(0, Math.round(endMs)) >>> 0, this.used + 1);
      this.used += RECORD_HEAD_BYTES;
    }
    this.closed = true;
    clearInterval(this.timer);
    await this.flush();
    try {
      await this.file.close();
    } catch (err) {
      this.fail(err);
    }
  }

  private appendBytes(bytes: Buffer): void {
    this.reserve(bytes.length);
    bytes.copy(this.active, this.used);
    this.used += bytes.length;
  }

  private reserve(bytes: number): void {
    if (this.used + bytes <= this.active.length) return;
    void this.flush();
    if (bytes > this.active.length) this.active = Buffer.allocUnsafe(bytes);
  }

  private maybeFlush(): void {
    if (this.clock() - this.lastFlushMs >= this.flushIntervalMs) void this.flush();
  }

  private async writeOut(buf: Buffer, length: number): Promise<void> {
    if (this.hasFailed) return;
    try {
      let off = 0;
      while (off < length) {
        const { bytesWritten } = await this.file.write(buf, off, length - off, this.position);
        if (bytesWritten <= 0) throw new Error('short write');
        off += bytesWritten;
        this.position += bytesWritten;
      }
      if (length > 0 || this.durableBytes < this.position) {
        await this.file.sync();
        this.syncCount++;
        this.durableBytes = this.position;
      }
    } catch (err) {
      this.fail(err);
    } finally {
      if (length > 0 && buf.length === this.bufferBytes) this.free.push(buf);
    }
  }

  private fail(err: unknown): void {
    if (this.hasFailed) return;
    this.hasFailed = true;
    this.failure = err;
    clearInterval(this.timer);
    this.onFailure?.(err);
  }
}
