/**
 * The live-call registry over Redis (issue 7): each instance's calls are one JSON string with a
 * TTL (`RedisKeys.liveCalls`), indexed by a SET of instance ids that `list()` prunes when a key
 * has expired; commands travel by pub/sub on a channel per instance. Pub/sub needs its own
 * connection, opened on the first `onCommand`.
 */
import type { Redis } from 'ioredis';
import type { RedisKeys } from './redis-keys.js';
import { LIVE_CALLS_PRUNE, LIVE_CALLS_PUBLISH, runScript } from './redis-scripts.js';
import type { LiveCall, LiveCallCommand, LiveCallEntry, LiveCallRegistry } from './types.js';

type Handler = (command: LiveCallCommand) => void;

export class RedisLiveCalls implements LiveCallRegistry {
  readonly #client: Redis;
  readonly #k: RedisKeys;
  readonly #ttlMs: number;
  #subscriber: Redis | undefined;
  /** Channel → handlers subscribed on it. */
  readonly #handlers = new Map<string, Set<Handler>>();

  constructor(client: Redis, keys: RedisKeys, ttlMs: number) {
    this.#client = client;
    this.#k = keys;
    this.#ttlMs = ttlMs;
  }

  async publish(instanceId: string, calls: readonly LiveCall[]): Promise<void> {
    const keys = [this.#k.liveCalls(instanceId), this.#k.liveCallInstances()];
    const args = [JSON.stringify(calls), String(Math.max(1, Math.round(this.#ttlMs))), instanceId];
    await runScript(this.#client, LIVE_CALLS_PUBLISH, keys, args);
  }

  async withdraw(instanceId: string): Promise<void> {
    await this.#client
      .multi()
      .del(this.#k.liveCalls(instanceId))
      .srem(this.#k.liveCallInstances(), instanceId)
      .exec();
  }

  async list(): Promise<LiveCallEntry[]> {
    const instances = (await this.#client.smembers(this.#k.liveCallInstances())).sort();
    if (instances.length === 0) return [];
    const values = await this.#client.mget(...instances.map((i) => this.#k.liveCalls(i)));
    const out: LiveCallEntry[] = [];
    for (const [i, instanceId] of instances.entries()) {
      const value = values[i];
      if (value === null || value === undefined) {
        const keys = [this.#k.liveCalls(instanceId), this.#k.liveCallInstances()];
        await runScript(this.#client, LIVE_CALLS_PRUNE, keys, [instanceId]);
        continue;
      }
      for (const call of parseCalls(value)) out.push({ ...call, instanceId });
    }
    return out;
  }

  async owner(callId: string): Promise<string | undefined> {
    return (await this.list()).find((c) => c.id === callId)?.instanceId;
  }

  async sendCommand(instanceId: string, command: LiveCallCommand): Promise<boolean> {
    const receivers = await this.#client.publish(
      this.#k.liveCallCommands(instanceId),
      JSON.stringify(command),
    );
    return receivers > 0;
  }

  async onCommand(instanceId: string, handler: Handler): Promise<() => Promise<void>> {
    const channel = this.#k.liveCallCommands(instanceId);
    const sub = this.#subscriberConnection();
    let set = this.#handlers.get(channel);
    if (!set) {
      set = new Set();
      this.#handlers.set(channel, set);
      await sub.subscribe(channel);
    }
    set.add(handler);
    return async () => {
      const current = this.#handlers.get(channel);
      if (!current?.delete(handler) || current.size > 0) return;
      this.#handlers.delete(channel);
      await sub.unsubscribe(channel);
    };
  }

  /** Closes the pub/sub connection (the store closes the main one). Idempotent. */
  async close(): Promise<void> {
    const sub = this.#subscriber;
    this.#subscriber = undefined;
    this.#handlers.clear();
    if (sub) await sub.quit().catch(() => sub.disconnect());
  }

  #subscriberConnection(): Redis {
    if (this.#subscriber) return this.#subscriber;
    const sub = this.#client.duplicate();
    // Errors reach the main client's handler through ping(); ioredis reconnects and resubscribes.
    sub.on('error', () => undefined);
    sub.on('message', (channel: string, message: string) => {
      const command = parseCommand(message);
      if (!command) return;
      for (const handler of this.#handlers.get(channel) ?? []) {
        try {
          handler(command);
        } catch {
          // A throwing handler never unwinds the subscriber; the handler logs its own failures.
        }
      }
    });
    this.#subscriber = sub;
    return sub;
  }
}

function parseCalls(value: string): LiveCall[] {
  try {
    const parsed: unknown = JSON.parse(value);
    return Array.isArray(parsed) ? (parsed as LiveCall[]) : [];
  } catch {
    return [];
  }
}

const OPS: readonly string[] = ['pause', 'resume', 'hangup'];

function parseCommand(message: string): LiveCallCommand | undefined {
  try {
    const c = JSON.parse(message) as Partial<Record<keyof LiveCallCommand, unknown>>;
    if (typeof c.op !== 'string' || !OPS.includes(c.op) || typeof c.callId !== 'string') {
      return undefined;
    }
    return {
      op: c.op as LiveCallCommand['op'],
      callId: c.callId,
      ...(typeof c.reason === 'string' ? { reason: c.reason } : {}),
    };
  } catch {
    return undefined;
  }
}
