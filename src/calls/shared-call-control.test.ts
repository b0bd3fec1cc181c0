import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createMemoryStore, createRedisStore, RedisKeys, type Store } from '../store/index.js';
import type { CallControl, CallDetail, CallSummary } from './call-control.js';
import { SharedCallControl } from './shared-call-control.js';

const REDIS_URL = 'redis://127.0.0.1:6379';
const raw = new Redis(REDIS_URL);
const cleanup: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});
afterAll(async () => {
  await raw.quit();
});

const summary = (id: string, recording: CallSummary['recording'] = 'recording'): CallSummary => ({
  id,
  queue: 'sales',
  from: 'sip:+4930123@127.0.0.1',
  to: 'sip:sales@127.0.0.1',
  startedAt: '2025-03-01T10:00:00.000Z',
  state: 'confirmed',
  recording,
  pauseCauses: recording === 'paused' ? ['sdp-hold-pbx'] : [],
});

/** A local CallControl over fixed calls that records what it was asked to do. */
class FakeControl implements CallControl {
  readonly actions: string[] = [];
  constructor(readonly calls: CallSummary[]) {}
  list(): CallSummary[] {
    return [...this.calls];
  }
  get(id: string): CallDetail | undefined {
    const c = this.calls.find((x) => x.id === id);
    if (!c) return undefined;
    const legs = { caller: { sipCallId: `sip-${id}`, dialog: 'confirmed' as const } };
    return { ...c, legs: { ...legs, pbx: { dialog: 'confirmed' } }, onHold: false, gateEvents: [] };
  }
  pauseRecording(id: string, reason: string): boolean {
    this.actions.push(`pause ${id} ${reason}`);
    return this.calls.some((c) => c.id === id);
  }
  resumeRecording(id: string): boolean {
    this.actions.push(`resume ${id}`);
    return this.calls.some((c) => c.id === id);
  }
  hangUp(id: string, reason: string): boolean {
    this.actions.push(`hangup ${id} ${reason}`);
    return this.calls.some((c) => c.id === id);
  }
}

function redisStores(ttlMs?: number): [Store, Store] {
  const prefix = `hgtest:${randomUUID()}:`;
  const make = () => {
    const store = createRedisStore({
      url: REDIS_URL,
      prefix,
      ...(ttlMs === undefined ? {} : { liveCallTtlMs: ttlMs }),
    });
    cleanup.push(() => store.close());
    return store;
  };
  cleanup.push(async () => {
    const keys = await raw.keys(new RedisKeys(prefix).all());
    if (keys.length > 0) await raw.del(...keys);
  });
  return [make(), make()];
}

async function instance(store: Store, id: string, calls: CallSummary[]) {
  const local = new FakeControl(calls);
  const shared = new SharedCallControl({ local, registry: store.liveCalls });
  await shared.start(id);
  cleanup.push(() => shared.close());
  return { local, shared };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await sleep(10);
  expect(check()).toBe(true);
}

describe('SharedCallControl over Redis (two instances)', () => {
  it("lists A's calls on B, and B's pause/resume/hang-up reach A's local control", async () => {
    const [storeA, storeB] = redisStores();
    const a = await instance(storeA, 'A', [summary('a1'), summary('a2', 'not-recorded')]);
    const b = await instance(storeB, 'B', [summary('b1')]);
    await a.shared.refresh();
    await b.shared.refresh();
    await a.shared.refresh();

    expect(b.shared.list().map((c) => c.id)).toEqual(['b1', 'a1', 'a2']);
    expect(a.shared.list().map((c) => c.id)).toEqual(['a1', 'a2', 'b1']);
    expect(b.shared.ownerOf('a1')).toBe('A');
    expect(b.shared.ownerOf('b1')).toBe('B');
    expect(b.shared.get('a1')).toEqual({
      ...summary('a1'),
      legs: { caller: { sipCallId: '', dialog: 'none' }, pbx: { dialog: 'none' } },
      onHold: false,
      gateEvents: [],
    });
    expect(b.shared.get('b1')?.legs.caller.sipCallId).toBe('sip-b1'); // local detail

    expect(b.shared.pauseRecording('a1', 'supervisor')).toBe(true);
    expect(b.shared.resumeRecording('a1')).toBe(true);
    expect(b.shared.hangUp('a1', 'fraud')).toBe(true);
    await until(() => a.local.actions.length === 3);
    expect(a.local.actions).toEqual(['pause a1 supervisor', 'resume a1', 'hangup a1 fraud']);
    expect(b.local.actions).toEqual([]);

    // A local call is acted on locally; an unknown or unrecorded call is refused.
    expect(b.shared.pauseRecording('b1', 'x')).toBe(true);
    expect(b.local.actions).toEqual(['pause b1 x']);
    expect(b.shared.hangUp('nope', 'x')).toBe(false);
    expect(b.shared.pauseRecording('a2', 'x')).toBe(false);
    await sleep(30);
    expect(a.local.actions).toHaveLength(3);
  });

  it("drops a dead instance's calls once its publication expires", async () => {
    const [storeA, storeB] = redisStores(400);
    const a = await instance(storeA, 'A', [summary('a1')]);
    const b = await instance(storeB, 'B', []);
    await a.shared.refresh();
    await b.shared.refresh();
    expect(b.shared.list().map((c) => c.id)).toEqual(['a1']);
    // A stops refreshing (crashed); B keeps going.
    await sleep(500);
    await b.shared.refresh();
    expect(b.shared.list()).toEqual([]);
    expect(b.shared.hangUp('a1', 'x')).toBe(false);
  });

  it('withdraws its calls on close', async () => {
    const [storeA, storeB] = redisStores();
    const a = await instance(storeA, 'A', [summary('a1')]);
    const b = await instance(storeB, 'B', []);
    await a.shared.refresh();
    await a.shared.close();
    await b.shared.refresh();
    expect(b.shared.list()).toEqual([]);
  });
});

describe('SharedCallControl over the memory store', () => {
  it('is the local control alone when no other instance publishes', async () => {
    const store = createMemoryStore();
    const a = await instance(store, 'A', [summary('a1', 'paused')]);
    await a.shared.refresh();
    expect(a.shared.list()).toEqual([summary('a1', 'paused')]);
    expect(a.shared.resumeRecording('a1')).toBe(true);
    expect(a.shared.resumeRecording('zz')).toBe(false);
    expect(a.local.actions).toEqual(['resume a1']);
  });

  it('refuses refresh before start, and a command arriving for a gone call is harmless', async () => {
    const store = createMemoryStore();
    const early = new SharedCallControl({ local: new FakeControl([]), registry: store.liveCalls });
    await expect(early.refresh()).rejects.toThrow(/before start/);
    const a = await instance(store, 'A', []);
    expect(await store.liveCalls.sendCommand('A', { op: 'hangup', callId: 'gone' })).toBe(true);
    await until(() => a.local.actions.length === 1);
    expect(a.local.actions).toEqual(['hangup gone remote']);
  });
});
