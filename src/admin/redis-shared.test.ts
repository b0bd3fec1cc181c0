import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { createRedisStore, RedisKeys, type Store } from '../store/index.js';
import { makeHarness, type Harness } from './admin-test-harness.js';
import { createApiKey, seedAdminKeyFromEnv } from './api-keys.js';

const REDIS_URL = 'redis://127.0.0.1:6379';
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function twoInstances(): Promise<[Harness, Harness, Store]> {
  const prefix = `hgtest:${randomUUID()}:`;
  const dir = await mkdtemp(join(tmpdir(), 'hg-admin-shared-'));
  const storeA = createRedisStore({ url: REDIS_URL, prefix });
  const storeB = createRedisStore({ url: REDIS_URL, prefix });
  const a = await makeHarness({ store: storeA, dir });
  const b = await makeHarness({ store: storeB, dir });
  cleanups.push(async () => {
    await a.close();
    await b.close();
    const raw = new Redis(REDIS_URL);
    const keys = await raw.keys(new RedisKeys(prefix).all());
    if (keys.length > 0) await raw.del(...keys);
    await raw.quit();
    await storeA.close();
    await storeB.close();
    await rm(dir, { recursive: true, force: true });
  });
  return [a, b, storeA];
}

describe('two admin instances over one Redis prefix', () => {
  it("see each other's queue changes, API keys and audit entries", async () => {
    const [a, b] = await twoInstances();
    const queue = { name: 'sales', match: { requestUser: '^sales$' }, pbx: { host: '127.0.0.1' } };
    expect(
      (
        await a.app.inject({
          method: 'POST',
          url: '/queues',
          headers: a.auth('admin'),
          payload: queue,
        })
      ).statusCode,
    ).toBe(201);
    const fromB = await b.app.inject({ url: '/queues/sales', headers: b.auth('viewer') });
    expect(fromB.json()).toMatchObject({ name: 'sales', pbx: { host: '127.0.0.1' } });
    await b.app.inject({
      method: 'PUT',
      url: '/queues/sales',
      headers: b.auth('admin'),
      payload: { ...queue, pbx: { host: '127.0.0.2' } },
    });
    expect(
      (await a.app.inject({ url: '/queues/sales', headers: a.auth('viewer') })).json(),
    ).toMatchObject({
      pbx: { host: '127.0.0.2' },
    });
    // a key made through A works on B
    expect((await b.app.inject({ url: '/calls', headers: a.auth('viewer') })).statusCode).toBe(200);
    await b.app.inject({
      method: 'POST',
      url: '/calls/call-1/pause',
      headers: b.auth('supervisor'),
      payload: {},
    });
    const audit = await a.app.inject({ url: '/audit', headers: a.auth('privacy-officer') });
    expect(audit.json()).toMatchObject({
      entries: [
        { seq: 1, action: 'queue.create', actor: `key:${a.keyIds.admin}` },
        { seq: 2, action: 'queue.update', actor: `key:${b.keyIds.admin}` },
        { seq: 3, action: 'call.pause', actor: `key:${b.keyIds.supervisor}` },
      ],
      verification: { ok: true, count: 3 },
    });
  });

  it('readiness reports the Redis store', async () => {
    const [a] = await twoInstances();
    expect((await a.app.inject({ url: '/ready' })).json()).toEqual({ ready: true, store: 'redis' });
  });
});

describe('bootstrap keys', () => {
  it('seeds an admin key from HOLDGATE_ADMIN_KEY idempotently and refuses a short one', async () => {
    const h = await makeHarness();
    cleanups.push(() => h.close());
    const key = 'k'.repeat(40);
    const id = await seedAdminKeyFromEnv(h.store, { HOLDGATE_ADMIN_KEY: key });
    expect(id).toMatch(/^env-/);
    expect(await seedAdminKeyFromEnv(h.store, { HOLDGATE_ADMIN_KEY: key })).toBe(id);
    expect(await seedAdminKeyFromEnv(h.store, {})).toBeUndefined();
    await expect(seedAdminKeyFromEnv(h.store, { HOLDGATE_ADMIN_KEY: 'short' })).rejects.toThrow();
    const res = await h.app.inject({ url: '/keys', headers: { authorization: `Bearer ${key}` } });
    expect(res.json<{ id: string; role: string }[]>().filter((k) => k.id === id)).toEqual([
      expect.objectContaining({ role: 'admin' }),
    ]);
    const stored = JSON.stringify(await h.store.apiKeys.list());
    expect(stored).not.toContain(key);
    const made = await createApiKey(h.store, 'viewer');
    expect(made.key).toMatch(/^hgk_[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(await h.store.apiKeys.list())).not.toContain(made.key);
  });
});
