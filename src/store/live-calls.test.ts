import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { MemoryLiveCalls } from './memory-live-calls.js';
import { RedisKeys } from './redis-keys.js';
import { createRedisStore } from './redis-store.js';
import type { LiveCall, LiveCallCommand, LiveCallRegistry, Store } from './types.js';

const REDIS_URL = 'redis://127.0.0.1:6379';
const raw = new Redis(REDIS_URL);
const opened: { store: Store; prefix: string }[] = [];

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

const call = (id: string, recording: LiveCall['recording'] = 'recording'): LiveCall => ({
  id,
  queue: 'sales',
  from: 'sip:+4930123@127.0.0.1',
  to: 'sip:sales@127.0.0.1',
  startedAt: '2025-03-01T10:00:00.000Z',
  state: 'confirmed',
  recording,
  pauseCauses: recording === 'paused' ? ['api'] : [],
});

/** Two registries as two instances would see them (Redis: two connections, one prefix). */
type Pair = (ttlMs?: number) => [LiveCallRegistry, LiveCallRegistry];

const memoryPair: Pair = (ttlMs) => {
  const r = new MemoryLiveCalls(ttlMs === undefined ? {} : { ttlMs });
  return [r, r];
};
const redisPair: Pair = (ttlMs) => {
  const prefix = `hgtest:${randomUUID()}:`;
  const make = () => {
    const store = createRedisStore({
      url: REDIS_URL,
      prefix,
      ...(ttlMs === undefined ? {} : { liveCallTtlMs: ttlMs }),
    });
    opened.push({ store, prefix });
    return store.liveCalls;
  };
  return [make(), make()];
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves with the commands received once `count` have arrived (or rejects after 2 s). */
async function waitFor<T>(list: T[], count: number): Promise<T[]> {
  for (let i = 0; i < 200 && list.length < count; i++) await sleep(10);
  if (list.length < count) throw new Error(`only ${list.length} of ${count} arrived`);
  return list;
}

describe.each([
  ['memory', memoryPair],
  ['redis', redisPair],
] as const)('%s live-call registry', (_name, pair) => {
  it("lists every instance's calls with their instanceId; publish replaces the set", async () => {
    const [a, b] = pair();
    await a.publish('A', [call('a1'), call('a2', 'paused')]);
    await b.publish('B', [call('b1')]);
    expect(await b.list()).toEqual([
      { ...call('a1'), instanceId: 'A' },
      { ...call('a2', 'paused'), instanceId: 'A' },
      { ...call('b1'), instanceId: 'B' },
    ]);
    await a.publish('A', [call('a3')]);
    expect((await b.list()).map((c) => `${c.instanceId}/${c.id}`)).toEqual(['A/a3', 'B/b1']);
    expect(await b.owner('a3')).toBe('A');
    expect(await a.owner('b1')).toBe('B');
    expect(await a.owner('a1')).toBeUndefined();
    await a.withdraw('A');
    expect((await b.list()).map((c) => c.id)).toEqual(['b1']);
  });

  it("drops a dead instance's calls after the TTL; a live one keeps them by re-publishing", async () => {
    const [a, b] = pair(500);
    await a.publish('A', [call('a1')]);
    await b.publish('B', [call('b1')]);
    await sleep(250);
    await b.publish('B', [call('b1')]); // B is alive, A is not
    expect((await b.list()).map((c) => c.id)).toEqual(['a1', 'b1']);
    await sleep(300);
    expect((await b.list()).map((c) => c.id)).toEqual(['b1']);
    // A comes back: visible again.
    await a.publish('A', [call('a1')]);
    expect(await b.owner('a1')).toBe('A');
  });

  it('delivers a command only to the addressed instance, until it unsubscribes', async () => {
    const [a, b] = pair();
    const gotA: LiveCallCommand[] = [];
    const gotB: LiveCallCommand[] = [];
    const offA = await a.onCommand('A', (c) => gotA.push(c));
    await b.onCommand('B', (c) => gotB.push(c));
    expect(await b.sendCommand('A', { op: 'pause', callId: 'a1', reason: 'supervisor' })).toBe(
      true,
    );
    expect(await b.sendCommand('A', { op: 'hangup', callId: 'a1' })).toBe(true);
    expect(await waitFor(gotA, 2)).toEqual([
      { op: 'pause', callId: 'a1', reason: 'supervisor' },
      { op: 'hangup', callId: 'a1' },
    ]);
    expect(await b.sendCommand('nobody', { op: 'resume', callId: 'x' })).toBe(false);
    await offA();
    expect(await b.sendCommand('A', { op: 'resume', callId: 'a1' })).toBe(false);
    await sleep(30);
    expect(gotA).toHaveLength(2);
    expect(gotB).toEqual([]);
  });

  it('contains a throwing handler: later commands still arrive', async () => {
    const [a, b] = pair();
    const got: string[] = [];
    await a.onCommand('A', (c) => {
      if (c.callId === 'boom') throw new Error('handler failed');
      got.push(c.callId);
    });
    await b.sendCommand('A', { op: 'pause', callId: 'boom' });
    await b.sendCommand('A', { op: 'pause', callId: 'ok' });
    expect(await waitFor(got, 1)).toEqual(['ok']);
  });
});
