/**
 * The shared store over Redis (`REDIS_URL`): several holdgate instances see the same queues,
 * catalog, consent records, API keys and audit log. Multi-key changes are the Lua scripts of
 * `redis-scripts.ts`; key names come only from `RedisKeys`. The client never leaves this module.
 */
import { Redis } from 'ioredis';
import type { QueueConfig } from '../config/schema.js';
import { chainEntry, GENESIS_HASH, verifyAuditChain } from './audit-chain.js';
import { byStart, matchesQuery } from './catalog-query.js';
import { normalizeNumber } from './phone-number.js';
import { RedisKeys } from './redis-keys.js';
import { RedisLiveCalls } from './redis-live-calls.js';
import {
  API_KEY_ADD,
  API_KEY_REMOVE,
  AUDIT_APPEND,
  QUEUE_DELETE,
  QUEUE_PUT,
  QUEUE_SEED,
  runScript as run,
} from './redis-scripts.js';
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

export interface RedisStoreOptions {
  /** `redis://host:port/db`. */
  url: string;
  /** Key prefix shared by the instances of one deployment. Default `holdgate:`. */
  prefix?: string;
  /** Connection errors (ioredis reconnects by itself); default: ignored, `ping()` reports. */
  onError?: (err: Error) => void;
  /** How long an instance's published live calls live without a refresh, in ms. Default 10000. */
  liveCallTtlMs?: number;
}

class RedisQueues implements QueueRepository {
  constructor(
    private readonly client: Redis,
    private readonly k: RedisKeys,
  ) {}
  async list(): Promise<QueueConfig[]> {
    const names = await this.client.zrange(this.k.queueOrder(), '0', '-1');
    if (names.length === 0) return [];
    const values = await this.client.hmget(this.k.queues(), ...names);
    return values.filter((v): v is string => v !== null).map((v) => JSON.parse(v) as QueueConfig);
  }
  async get(name: string): Promise<QueueConfig | undefined> {
    const v = await this.client.hget(this.k.queues(), name);
    return v === null ? undefined : (JSON.parse(v) as QueueConfig);
  }
  async put(queue: QueueConfig): Promise<boolean> {
    const keys = [this.k.queues(), this.k.queueOrder(), this.k.queueSeq()];
    return (await run(this.client, QUEUE_PUT, keys, [queue.name, JSON.stringify(queue)])) === 1;
  }
  async delete(name: string): Promise<boolean> {
    const keys = [this.k.queues(), this.k.queueOrder()];
    return (await run(this.client, QUEUE_DELETE, keys, [name])) === 1;
  }
  async seedIfEmpty(queues: readonly QueueConfig[]): Promise<boolean> {
    const keys = [this.k.queues(), this.k.queueOrder(), this.k.queueSeq()];
    const args = queues.flatMap((q) => [q.name, JSON.stringify(q)]);
    return (await run(this.client, QUEUE_SEED, keys, args)) === 1;
  }
}

/** FIXME: search reads the whole hash; a secondary index (ZSET by start time) at scale. */
class RedisCatalog implements RecordingCatalog {
  constructor(
    private readonly client: Redis,
    private readonly k: RedisKeys,
  ) {}
  async upsert(entry: CatalogEntry): Promise<void> {
    await this.client.hset(this.k.recordings(), entry.id, JSON.stringify(entry));
  }
  async get(id: string): Promise<CatalogEntry | undefined> {
    const v = await this.client.hget(this.k.recordings(), id);
    return v === null ? undefined : (JSON.parse(v) as CatalogEntry);
  }
  async remove(id: string): Promise<boolean> {
    return (await this.client.hdel(this.k.recordings(), id)) === 1;
  }
  async search(query: CatalogQuery): Promise<CatalogEntry[]> {
    const all = await this.client.hvals(this.k.recordings());
    return all
      .map((v) => JSON.parse(v) as CatalogEntry)
      .filter((e) => matchesQuery(e, query))
      .sort(byStart);
  }
  ids(): Promise<string[]> {
    return this.client.hkeys(this.k.recordings());
  }
}

class RedisConsent implements ConsentRepository {
  constructor(
    private readonly client: Redis,
    private readonly k: RedisKeys,
  ) {}
  async append(record: ConsentRecord): Promise<void> {
    await this.client.rpush(this.k.consent(normalizeNumber(record.number)), JSON.stringify(record));
  }
  async listByNumber(number: string): Promise<ConsentRecord[]> {
    const list = await this.client.lrange(this.k.consent(normalizeNumber(number)), 0, -1);
    return list.map((v) => JSON.parse(v) as ConsentRecord);
  }
}

class RedisApiKeys implements ApiKeyRepository {
  constructor(
    private readonly client: Redis,
    private readonly k: RedisKeys,
  ) {}
  async add(record: ApiKeyRecord): Promise<void> {
    await run(
      this.client,
      API_KEY_ADD,
      [this.k.apiKeys(), this.k.apiKeyIds()],
      [record.hash, record.id, JSON.stringify(record)],
    );
  }
  async findByHash(hash: string): Promise<ApiKeyRecord | undefined> {
    const v = await this.client.hget(this.k.apiKeys(), hash);
    return v === null ? undefined : (JSON.parse(v) as ApiKeyRecord);
  }
  async list(): Promise<ApiKeyRecord[]> {
    return (await this.client.hvals(this.k.apiKeys())).map((v) => JSON.parse(v) as ApiKeyRecord);
  }
  async remove(id: string): Promise<boolean> {
    const keys = [this.k.apiKeys(), this.k.apiKeyIds()];
    return (await run(this.client, API_KEY_REMOVE, keys, [id])) === 1;
  }
}

/** Appends by compare-and-append (AUDIT_APPEND), retrying when another instance won the race. */
class RedisAuditLog implements AuditLog {
  constructor(
    private readonly client: Redis,
    private readonly k: RedisKeys,
  ) {}
  async append(input: AuditEntryInput, at: Date = new Date()): Promise<AuditEntry> {
    for (let attempt = 0; attempt < 100; attempt++) {
      const head = await this.client.hmget(this.k.auditHead(), 'seq', 'hash');
      const seq = head[0] ? Number(head[0]) : 0;
      const hash = head[1] ?? '';
      const entry = chainEntry(input, { seq, hash: hash || GENESIS_HASH }, at);
      const ok = await run(
        this.client,
        AUDIT_APPEND,
        [this.k.auditHead(), this.k.auditLog()],
        [hash, String(entry.seq), entry.hash, JSON.stringify(entry)],
      );
      if (ok === 1) return entry;
    }
    throw new Error('audit append: head kept moving (100 attempts)');
  }
  async list(options: { afterSeq?: number; limit?: number } = {}): Promise<AuditEntry[]> {
    const start = options.afterSeq ?? 0;
    const stop = options.limit === undefined ? -1 : start + options.limit - 1;
    const list = await this.client.lrange(this.k.auditLog(), start, stop);
    return list.map((v) => JSON.parse(v) as AuditEntry);
  }
  async verify(): Promise<AuditVerifyResult> {
    // FIXME: reads the whole list; walk it in pages for very long logs.
    const list = await this.client.lrange(this.k.auditLog(), 0, -1);
    return verifyAuditChain(list.map((v) => JSON.parse(v) as AuditEntry));
  }
}

export function createRedisStore(options: RedisStoreOptions): Store {
  const client = new Redis(options.url, { lazyConnect: false, maxRetriesPerRequest: 2 });
  client.on('error', (err: Error) => options.onError?.(err));
  const k = new RedisKeys(options.prefix);
  const liveCalls = new RedisLiveCalls(client, k, options.liveCallTtlMs ?? 10_000);
  return {
    kind: 'redis',
    queues: new RedisQueues(client, k),
    catalog: new RedisCatalog(client, k),
    consent: new RedisConsent(client, k),
    apiKeys: new RedisApiKeys(client, k),
    audit: new RedisAuditLog(client, k),
    liveCalls,
    ping: async () => {
      try {
        await client.ping();
        return true;
      } catch {
        return false;
      }
    },
    close: async () => {
      await liveCalls.close();
      await client.quit().catch(() => client.disconnect());
    },
  };
}
