/**
 * The embedded (single instance) store: everything in process memory, lost on restart except
 * what is rebuilt from the recordings directory (the catalog).
 */
import type { QueueConfig } from '../config/schema.js';
import { chainEntry, GENESIS_HASH, verifyAuditChain } from './audit-chain.js';
import { byStart, matchesQuery } from './catalog-query.js';
import { MemoryLiveCalls } from './memory-live-calls.js';
import { normalizeNumber } from './phone-number.js';
import type {
  ApiKeyRecord,
  ApiKeyRepository,
  AuditEntry,
  AuditEntryInput,
  AuditLog,
  AuditVerifyResult,
  CatalogEntry,
  CatalogQuery,
  ConsentRecord,
  ConsentRepository,
  QueueRepository,
  RecordingCatalog,
  Store,
} from './types.js';

const clone = <T>(v: T): T => structuredClone(v);

class MemoryQueues implements QueueRepository {
  private readonly queues = new Map<string, QueueConfig>();
  list(): Promise<QueueConfig[]> {
    return Promise.resolve([...this.queues.values()].map(clone));
  }
  get(name: string): Promise<QueueConfig | undefined> {
    const q = this.queues.get(name);
    return Promise.resolve(q && clone(q));
  }
  put(queue: QueueConfig): Promise<boolean> {
    const created = !this.queues.has(queue.name);
    this.queues.set(queue.name, clone(queue));
    return Promise.resolve(created);
  }
  delete(name: string): Promise<boolean> {
    return Promise.resolve(this.queues.delete(name));
  }
  seedIfEmpty(queues: readonly QueueConfig[]): Promise<boolean> {
    if (this.queues.size > 0) return Promise.resolve(false);
    for (const q of queues) this.queues.set(q.name, clone(q));
    return Promise.resolve(true);
  }
}

class MemoryCatalog implements RecordingCatalog {
  private readonly entries = new Map<string, CatalogEntry>();
  upsert(entry: CatalogEntry): Promise<void> {
    this.entries.set(entry.id, clone(entry));
    return Promise.resolve();
  }
  get(id: string): Promise<CatalogEntry | undefined> {
    const e = this.entries.get(id);
    return Promise.resolve(e && clone(e));
  }
  remove(id: string): Promise<boolean> {
    return Promise.resolve(this.entries.delete(id));
  }
  search(query: CatalogQuery): Promise<CatalogEntry[]> {
    return Promise.resolve(
      [...this.entries.values()]
        .filter((e) => matchesQuery(e, query))
        .sort(byStart)
        .map(clone),
    );
  }
  ids(): Promise<string[]> {
    return Promise.resolve([...this.entries.keys()]);
  }
}

class MemoryConsent implements ConsentRepository {
  private readonly byNumber = new Map<string, ConsentRecord[]>();
  append(record: ConsentRecord): Promise<void> {
    const key = normalizeNumber(record.number);
    const list = this.byNumber.get(key) ?? [];
    list.push(clone(record));
    this.byNumber.set(key, list);
    return Promise.resolve();
  }
  listByNumber(number: string): Promise<ConsentRecord[]> {
    return Promise.resolve((this.byNumber.get(normalizeNumber(number)) ?? []).map(clone));
  }
}

class MemoryApiKeys implements ApiKeyRepository {
  private readonly byHash = new Map<string, ApiKeyRecord>();
  add(record: ApiKeyRecord): Promise<void> {
    this.byHash.set(record.hash, clone(record));
    return Promise.resolve();
  }
  findByHash(hash: string): Promise<ApiKeyRecord | undefined> {
    const r = this.byHash.get(hash);
    return Promise.resolve(r && clone(r));
  }
  list(): Promise<ApiKeyRecord[]> {
    return Promise.resolve([...this.byHash.values()].map(clone));
  }
  remove(id: string): Promise<boolean> {
    for (const [hash, r] of this.byHash) {
      if (r.id === id) return Promise.resolve(this.byHash.delete(hash));
    }
    return Promise.resolve(false);
  }
}

/**
 * In-memory audit log. `entries` may be passed in (tests hold the array to tamper with it);
 * appends are atomic because they never yield between reading the head and pushing.
 */
export class MemoryAuditLog implements AuditLog {
  constructor(private readonly entries: AuditEntry[] = []) {}
  append(input: AuditEntryInput, at: Date = new Date()): Promise<AuditEntry> {
    const last = this.entries.at(-1);
    const entry = chainEntry(input, last ?? { seq: 0, hash: GENESIS_HASH }, at);
    this.entries.push(entry);
    return Promise.resolve(clone(entry));
  }
  list(options: { afterSeq?: number; limit?: number } = {}): Promise<AuditEntry[]> {
    const after = options.afterSeq ?? 0;
    const out = this.entries.filter((e) => e.seq > after);
    return Promise.resolve(
      (options.limit === undefined ? out : out.slice(0, options.limit)).map(clone),
    );
  }
  verify(): Promise<AuditVerifyResult> {
    return Promise.resolve(verifyAuditChain(this.entries));
  }
}

export function createMemoryStore(
  options: { auditEntries?: AuditEntry[]; liveCallTtlMs?: number } = {},
): Store {
  return {
    kind: 'memory',
    queues: new MemoryQueues(),
    catalog: new MemoryCatalog(),
    consent: new MemoryConsent(),
    apiKeys: new MemoryApiKeys(),
    audit: new MemoryAuditLog(options.auditEntries),
    liveCalls: new MemoryLiveCalls(
      options.liveCallTtlMs === undefined ? {} : { ttlMs: options.liveCallTtlMs },
    ),
    ping: () => Promise.resolve(true),
    close: () => Promise.resolve(),
  };
}
