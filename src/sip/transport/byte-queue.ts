/**
 * A growable byte queue for stream reassembly (RFC 3261 §18.3). Appending is amortized O(1) per
 * byte (capacity doubles), so a message fed one byte per segment costs linear copying, not quadratic.
 */
export class ByteQueue {
  private buf: Buffer;
  private start = 0;
  private end = 0;

  constructor(initialCapacity = 4096) {
    this.buf = Buffer.allocUnsafe(initialCapacity);
  }

  get length(): number {
    return this.end - this.start;
  }

  append(chunk: Buffer): void {
    const needed = this.length + chunk.length;
    if (this.end + chunk.length > this.buf.length) {
      if (needed <= this.buf.length / 2) {
        this.buf.copy(this.buf, 0, this.start, this.end);
      } else {
        let cap = this.buf.length * 2;
        while (cap < needed) cap *= 2;
        const next = Buffer.allocUnsafe(cap);
        this.buf.copy(next, 0, this.start, this.end);
        this.buf = next;
      }
      this.end = this.length;
      this.start = 0;
    }
    chunk.copy(this.buf, this.end);
    this.end += chunk.length;
  }

  /** A view of the queued bytes; valid until the next append or consume. */
  view(): Buffer {
    return this.buf.subarray(this.start, this.end);
  }

  /** A copy of the first `n` bytes that outlives the queue. */
  copyHead(n: number): Buffer {
    return Buffer.from(this.buf.subarray(this.start, this.start + n));
  }

  consume(n: number): void {
    this.start += Math.min(n, this.length);
    if (this.start === this.end) {
      this.start = 0;
      this.end = 0;
    }
  }

  clear(): void {
    this.start = 0;
    this.end = 0;
  }
}
