/**
 * Lua scripts for multi-key changes (run atomically by Redis). Each names its KEYS and ARGV.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

export interface LuaScript {
  readonly name: string;
  readonly keys: number;
  readonly source: string;
  readonly sha1: string;
}

function script(name: string, keys: number, source: string): LuaScript {
  return { name, keys, source, sha1: createHash('sha1').update(source).digest('hex') };
}

/** Runs a script by SHA, loading it on NOSCRIPT. */
export async function runScript(
  client: Redis,
  s: LuaScript,
  keys: readonly string[],
  args: readonly string[],
): Promise<unknown> {
  try {
    return await client.evalsha(s.sha1, s.keys, ...keys, ...args);
  } catch (err) {
    if (err instanceof Error && err.message.startsWith('NOSCRIPT')) {
      return client.eval(s.source, s.keys, ...keys, ...args);
    }
    throw err;
  }
}

/**
 * Compare-and-append to the audit chain.
 * KEYS[1] audit head HASH {seq, hash}; KEYS[2] audit LIST.
 * ARGV[1] expected head hash ('' for an empty log); ARGV[2] new seq; ARGV[3] new hash;
 * ARGV[4] entry JSON. Returns 1 when appended, 0 when the head moved (caller retries).
 */
export const AUDIT_APPEND = script(
  'audit-append',
  2,
  `local head = redis.call('HGET', KEYS[1], 'hash') or ''
if head ~= ARGV[1] then return 0 end
redis.call('RPUSH', KEYS[2], ARGV[4])
redis.call('HSET', KEYS[1], 'seq', ARGV[2], 'hash', ARGV[3])
return 1`,
);

/**
 * Create or replace a queue, keeping its match position.
 * KEYS[1] queues HASH; KEYS[2] order ZSET; KEYS[3] order counter.
 * ARGV[1] queue name; ARGV[2] queue JSON. Returns 1 when created, 0 when replaced.
 */
export const QUEUE_PUT = script(
  'queue-put',
  3,
  `local existed = redis.call('HEXISTS', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
if existed == 0 then
  redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[3]), ARGV[1])
  return 1
end
return 0`,
);

/**
 * Delete a queue. KEYS[1] queues HASH; KEYS[2] order ZSET. ARGV[1] queue name.
 * Returns 1 when it existed.
 */
export const QUEUE_DELETE = script(
  'queue-delete',
  2,
  `redis.call('ZREM', KEYS[2], ARGV[1])
return redis.call('HDEL', KEYS[1], ARGV[1])`,
);

/**
 * Seed queues when there are none. KEYS[1] queues HASH; KEYS[2] order ZSET; KEYS[3] counter.
 * ARGV: name1, json1, name2, json2, ... Returns 1 when seeded, 0 when queues existed.
 */
export const QUEUE_SEED = script(
  'queue-seed',
  3,
  `if redis.call('HLEN', KEYS[1]) > 0 then return 0 end
for i = 1, #ARGV, 2 do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
  redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[3]), ARGV[i])
end
return 1`,
);

/**
 * Add an API key. KEYS[1] key-hash HASH; KEYS[2] id HASH. ARGV[1] key hash; ARGV[2] id;
 * ARGV[3] record JSON.
 */
export const API_KEY_ADD = script(
  'api-key-add',
  2,
  `redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('HSET', KEYS[2], ARGV[2], ARGV[1])
return 1`,
);

/** Remove an API key by id. KEYS[1] key-hash HASH; KEYS[2] id HASH. ARGV[1] id. */
export const API_KEY_REMOVE = script(
  'api-key-remove',
  2,
  `local hash = redis.call('HGET', KEYS[2], ARGV[1])
if not hash then return 0 end
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[1], hash)
return 1`,
);

/**
 * Replace one instance's live calls and register the instance.
 * KEYS[1] the instance's live-calls STRING; KEYS[2] instances SET.
 * ARGV[1] calls JSON; ARGV[2] TTL in ms; ARGV[3] instance id. Returns 1.
 */
export const LIVE_CALLS_PUBLISH = script(
  'live-calls-publish',
  2,
  `redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('SADD', KEYS[2], ARGV[3])
return 1`,
);

/**
 * Forget an instance whose live calls expired (atomic, so a concurrent publish is never lost).
 * KEYS[1] the instance's live-calls STRING; KEYS[2] instances SET. ARGV[1] instance id.
 * Returns 1 when pruned, 0 when the instance's key exists again.
 */
export const LIVE_CALLS_PRUNE = script(
  'live-calls-prune',
  2,
  `if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('SREM', KEYS[2], ARGV[1])
return 1`,
);
