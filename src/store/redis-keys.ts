/**
 * The one place Redis key names are built. Every key starts with the instance group's prefix
 * (default `holdgate:`), so several deployments or tests can share one Redis.
 */
export class RedisKeys {
  constructor(readonly prefix = 'holdgate:') {}
  /** HASH queue name → queue JSON. */
  queues(): string {
    return `${this.prefix}queues`;
  }
  /** ZSET queue name scored by creation order (match order). */
  queueOrder(): string {
    return `${this.prefix}queues:order`;
  }
  /** STRING counter giving the next queue's order score. */
  queueSeq(): string {
    return `${this.prefix}queues:seq`;
  }
  /** HASH recording id → catalog entry JSON. */
  recordings(): string {
    return `${this.prefix}recordings`;
  }
  /** LIST of consent record JSON for one normalized number. */
  consent(number: string): string {
    return `${this.prefix}consent:${number}`;
  }
  /** HASH key hash → API key record JSON. */
  apiKeys(): string {
    return `${this.prefix}apikeys`;
  }
  /** HASH key id → key hash. */
  apiKeyIds(): string {
    return `${this.prefix}apikeys:ids`;
  }
  /** LIST of audit entry JSON, seq order. */
  auditLog(): string {
    return `${this.prefix}audit`;
  }
  /** HASH {seq, hash} of the last audit entry. */
  auditHead(): string {
    return `${this.prefix}audit:head`;
  }
  /** SET of instance ids that have published live calls (entries whose key expired are pruned). */
  liveCallInstances(): string {
    return `${this.prefix}livecalls:instances`;
  }
  /** STRING (JSON array of live calls) of one instance, with a TTL refreshed by each publish. */
  liveCalls(instanceId: string): string {
    return `${this.prefix}livecalls:instance:${instanceId}`;
  }
  /** Pub/sub channel of call-control commands for one instance. */
  liveCallCommands(instanceId: string): string {
    return `${this.prefix}livecalls:commands:${instanceId}`;
  }
  /** Pattern matching every key of this prefix (cleanup in tests and tools). */
  all(): string {
    return `${this.prefix}*`;
  }
}
