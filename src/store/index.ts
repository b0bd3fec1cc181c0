export * from './types.js';
export { createMemoryStore, MemoryAuditLog } from './memory-store.js';
export { createRedisStore, type RedisStoreOptions } from './redis-store.js';
export { RedisKeys } from './redis-keys.js';
export { canonicalJson } from './canonical-json.js';
export { auditEntryHash, verifyAuditChain, GENESIS_HASH } from './audit-chain.js';
export { normalizeNumber, numberMatches } from './phone-number.js';
export { MemoryLiveCalls } from './memory-live-calls.js';
