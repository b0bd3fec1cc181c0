import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { QueueConfig } from '../config/schema.js';
import { createMemoryStore } from './memory-store.js';
import { RedisKeys } from './redis-keys.js';
import { createRedisStore } from './redis-store.js';
import type { AuditEntry, CatalogEntry, Store } from './types.js';

const REDIS_URL = 'redis://127.0.0.1:6379';
const raw = new Redis(REDIS_URL);
const opened: { store: Store; prefix: string }[] = [];

function redisStore(prefix = `hgtest:${randomUUID()}:`): Store {
  const store = createRedisStore({ url: REDIS_URL, prefix });
  opened.push({ store, prefix });
  return store;
}

afterEach(async () => {
  for (const { store, prefix } of opened.splice(0)) {
    await store.close();
    const keys = await raw.keys(new RedisKeys(prefix).all());
    if (keys.length > 0) await raw.del(...keys);
  }
});
afterAll(async () => {
  await raw.quit();
});

const queue = (name: string, host = '127.0.0.1'): QueueConfig => ({
  name,
  match: { requestUser: name },
  pbx: { host, port: 5060, transport: 'udp' },
});

const entry = (id: string, startedAt: string, from: string, queueName = 'sales'): CatalogEntry => ({
  id,
  callId: `c-${id}`,
  queue: queueName,
  from,
  to: 'sip:sales@127.0.0.1',
  startedAt,
  endedAt: null,
  status: 'complete',
  retainUntil: '2030-01-01T00:00:00.000Z',
  audioFile: `${id}.wav`,
  deletedAt: null,
});

const backends: [string, () => Store][] = [
  ['memory', () => createMemoryStore()],
  ['redis', () => redisStore()],
];

describe.each(backends)('%s store', (_name, make) => {
  it('keeps queues in match order; update keeps the position; delete removes', async () => {
    const s = make();
    expect(await s.queues.seedIfEmpty([queue('a'), queue('b')])).toBe(true);
    expect(await s.queues.seedIfEmpty([queue('z')])).toBe(false);
    expect(await s.queues.put(queue('c'))).toBe(true);
    expect(await s.queues.put(queue('a', '127.0.0.2'))).toBe(false);
    expect((await s.queues.list()).map((q) => q.name)).toEqual(['a', 'b', 'c']);
    expect((await s.queues.get('a'))?.pbx.host).toBe('127.0.0.2');
    expect(await s.queues.delete('b')).toBe(true);
    expect(await s.queues.delete('b')).toBe(false);
    expect(await s.queues.get('b')).toBeUndefined();
    expect((await s.queues.list()).map((q) => q.name)).toEqual(['a', 'c']);
  });

  it('searches the catalog by queue, time range and number (from or to)', async () => {
    const s = make();
    await s.catalog.upsert(entry('r2', '2025-03-02T10:00:00.000Z', 'sip:+4930123@h'));
    await s.catalog.upsert(entry('r1', '2025-03-01T10:00:00.000Z', '"A" <sip:+49 30-123@h>'));
    await s.catalog.upsert(entry('r3', '2025-03-03T10:00:00.000Z', 'sip:+4940999@h', 'support'));
    const ids = async (q: Parameters<Store['catalog']['search']>[0]) =>
      (await s.catalog.search(q)).map((e) => e.id);
    expect(await ids({})).toEqual(['r1', 'r2', 'r3']);
    expect(await ids({ number: '+4930123' })).toEqual(['r1', 'r2']);
    expect(await ids({ number: 'sales' })).toEqual(['r1', 'r2', 'r3']); // the To of every call
    expect(await ids({ queue: 'support' })).toEqual(['r3']);
    expect(await ids({ from: '2025-03-01T12:00:00.000Z', to: '2025-03-03T10:00:00.000Z' })).toEqual(
      ['r2'],
    );
    expect(await s.catalog.remove('r2')).toBe(true);
    expect(await s.catalog.get('r2')).toBeUndefined();
    expect((await s.catalog.ids()).sort()).toEqual(['r1', 'r3']);
  });

  it('appends and lists consent records by normalized number', async () => {
    const s = make();
    const rec = {
      at: '2025-03-01T10:00:00.000Z',
      callId: 'c1',
      queue: 'sales',
      policy: 'announce',
      outcome: 'accepted',
    };
    await s.consent.append({ ...rec, number: '+49 30 123' });
    await s.consent.append({ ...rec, number: '+4930123', outcome: 'opted-out' });
    await s.consent.append({ ...rec, number: '+4940999' });
    const list = await s.consent.listByNumber('sip:+4930123@host');
    expect(list.map((r) => r.outcome)).toEqual(['accepted', 'opted-out']);
  });

  it('finds API keys by hash and removes them by id', async () => {
    const s = make();
    const rec = { id: 'k1', role: 'viewer' as const, label: 'x', createdAt: 'now', hash: 'ab' };
    await s.apiKeys.add(rec);
    expect(await s.apiKeys.findByHash('ab')).toEqual(rec);
    expect(await s.apiKeys.list()).toHaveLength(1);
    expect(await s.apiKeys.remove('k1')).toBe(true);
    expect(await s.apiKeys.findByHash('ab')).toBeUndefined();
    expect(await s.apiKeys.remove('k1')).toBe(false);
  });

  it('chains audit entries and verifies them', async () => {
    const s = make();
    const a = await s.audit.append({ actor: 'key:1', action: 'audio.read', target: 'r1' });
    const b = await s.audit.append({
      actor: 'key:1',
      action: 'x',
      target: 'r2',
      details: { n: 1 },
    });
    expect(a.seq).toBe(1);
    expect(b.prevHash).toBe(a.hash);
    expect(await s.audit.verify()).toEqual({ ok: true, count: 2 });
    expect((await s.audit.list({ afterSeq: 1 })).map((e) => e.seq)).toEqual([2]);
    expect((await s.audit.list({ limit: 1 })).map((e) => e.seq)).toEqual([1]);
  });
});

describe('audit tamper evidence', () => {
  it('memory: editing entry 3 of 5 makes verify fail at exactly 3', async () => {
    const entries: AuditEntry[] = [];
    const s = createMemoryStore({ auditEntries: entries });
    for (let i = 0; i < 5; i++) await s.audit.append({ actor: 'a', action: 'x', target: `t${i}` });
    expect((await s.audit.verify()).ok).toBe(true);
    entries[2] = { ...entries[2]!, target: 'someone-else' };
    expect(await s.audit.verify()).toMatchObject({ ok: false, brokenAt: 3 });
  });

  it('memory: deleting an entry breaks the chain there', async () => {
    const entries: AuditEntry[] = [];
    const s = createMemoryStore({ auditEntries: entries });
    for (let i = 0; i < 4; i++) await s.audit.append({ actor: 'a', action: 'x', target: `t${i}` });
    entries.splice(1, 1);
    expect(await s.audit.verify()).toMatchObject({ ok: false, brokenAt: 2 });
  });

  it('redis: editing entry 4 of 6 (even recomputing its own hash) fails at exactly 4', async () => {
    const prefix = `hgtest:${randomUUID()}:`;
    const s = redisStore(prefix);
    for (let i = 0; i < 6; i++) await s.audit.append({ actor: 'a', action: 'x', target: `t${i}` });
    const key = new RedisKeys(prefix).auditLog();
    const e = JSON.parse((await raw.lindex(key, 3))!) as AuditEntry;
    await raw.lset(key, 3, JSON.stringify({ ...e, details: { edited: true } }));
    expect(await s.audit.verify()).toMatchObject({ ok: false, brokenAt: 4 });
    // a forger who also recomputes the edited entry's hash breaks the next link instead
    const { auditEntryHash } = await import('./audit-chain.js');
    const forged = { ...e, details: { edited: true } };
    await raw.lset(key, 3, JSON.stringify({ ...forged, hash: auditEntryHash(forged) }));
    expect(await s.audit.verify()).toMatchObject({ ok: false, brokenAt: 5 });
  });

  it('redis: two instances appending concurrently keep one valid chain', async () => {
    const prefix = `hgtest:${randomUUID()}:`;
    const a = redisStore(prefix);
    const b = redisStore(prefix);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? a : b).audit.append({ actor: 'a', action: 'x', target: `t${i}` }),
      ),
    );
    expect(await a.audit.verify()).toEqual({ ok: true, count: 20 });
    await b.queues.put(queue('shared'));
    expect((await a.queues.get('shared'))?.name).toBe('shared');
  });
});
