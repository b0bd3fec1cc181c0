/**
 * Per-source token buckets for out-of-dialog requests, so one flooding address cannot exhaust
 * transactions or CPU for everybody. Memory is bounded: at most `maxSources` buckets are kept;
 * when full, idle (refilled) buckets are dropped first, then the oldest.
 */
export class SourceRateLimiter {
  readonly #rate: number;
  readonly #burst: number;
  readonly #maxSources: number;
  readonly #now: () => number;
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(opts: {
    ratePerSecond: number;
    burst: number;
    maxSources?: number;
    now?: () => number;
  }) {
    this.#rate = opts.ratePerSecond;
    this.#burst = opts.burst;
    this.#maxSources = opts.maxSources ?? 10_000;
    this.#now = opts.now ?? Date.now;
  }

  /** Take one token for `source`; false when the source is over its rate. */
  take(source: string): boolean {
    const now = this.#now();
    let bucket = this.#buckets.get(source);
    if (!bucket) {
      if (this.#buckets.size >= this.#maxSources) this.#evict(now);
      bucket = { tokens: this.#burst, at: now };
      this.#buckets.set(source, bucket);
    } else {
      bucket.tokens = Math.min(
        this.#burst,
        bucket.tokens + ((now - bucket.at) / 1000) * this.#rate,
      );
      bucket.at = now;
    }
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  get size(): number {
    return this.#buckets.size;
  }

  #evict(now: number): void {
    const fullAfterMs = (this.#burst / this.#rate) * 1000;
    for (const [key, b] of this.#buckets) {
      if (now - b.at >= fullAfterMs) this.#buckets.delete(key);
    }
    while (this.#buckets.size >= this.#maxSources) {
      const oldest = this.#buckets.keys().next();
      if (oldest.done === true) break;
      this.#buckets.delete(oldest.value);
    }
  }
}
