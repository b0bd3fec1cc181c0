/**
 * API keys: `hgk_` + 32 random bytes (base64url). Only the SHA-256 of the key is stored (a
 * 256-bit random secret needs no slow hash); the key id is what logs and the audit name.
 */
import { createHash, randomBytes } from 'node:crypto';
import { ROLES, type ApiKeyRecord, type Role, type Store } from '../store/index.js';

export const ADMIN_KEY_ENV = 'HOLDGATE_ADMIN_KEY';

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export interface CreatedApiKey {
  /** The secret: shown once, never stored. */
  key: string;
  record: ApiKeyRecord;
}

export async function createApiKey(store: Store, role: Role, label = ''): Promise<CreatedApiKey> {
  const key = `hgk_${randomBytes(32).toString('base64url')}`;
  const record: ApiKeyRecord = {
    id: randomBytes(6).toString('hex'),
    role,
    label,
    createdAt: new Date().toISOString(),
    hash: hashApiKey(key),
  };
  await store.apiKeys.add(record);
  return { key, record };
}

/**
 * Bootstrap: when `HOLDGATE_ADMIN_KEY` is set (at least 32 characters), make it an admin key.
 * Idempotent across restarts and instances (same key → same id). Returns the key id, or
 * undefined when the variable is unset.
 */
export async function seedAdminKeyFromEnv(
  store: Store,
  env: Readonly<Record<string, string | undefined>>,
): Promise<string | undefined> {
  const key = env[ADMIN_KEY_ENV];
  if (key === undefined || key === '') return undefined;
  if (key.length < 32) throw new Error(`${ADMIN_KEY_ENV} must be at least 32 characters`);
  const hash = hashApiKey(key);
  const existing = await store.apiKeys.findByHash(hash);
  if (existing) return existing.id;
  const record: ApiKeyRecord = {
    id: `env-${hash.slice(0, 8)}`,
    role: 'admin',
    label: `from ${ADMIN_KEY_ENV}`,
    createdAt: new Date().toISOString(),
    hash,
  };
  await store.apiKeys.add(record);
  return record.id;
}

/** viewer < supervisor < privacy-officer < admin. */
export function roleAllows(have: Role, need: Role): boolean {
  return ROLES.indexOf(have) >= ROLES.indexOf(need);
}
