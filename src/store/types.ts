/**
 * The repositories of holdgate's state store (issue 7): queue config, recording catalog, consent
 * records, API keys and the audit log. Two implementations: memory (embedded default) and Redis
 * (shared by several instances). Domain code sees only these interfaces, never a client.
 */
import type { QueueConfig } from '../config/schema.js';

export const ROLES = ['viewer', 'supervisor', 'privacy-officer', 'admin'] as const;
/** viewer < supervisor < privacy-officer < admin: each role may do what the ones before it may. */
export type Role = (typeof ROLES)[number];

export interface QueueRepository {
  /** Every queue, in match order (insertion order; an update keeps the position). */
  list(): Promise<QueueConfig[]>;
  get(name: string): Promise<QueueConfig | undefined>;
  /** Creates or replaces; `true` when it was created. */
  put(queue: QueueConfig): Promise<boolean>;
  delete(name: string): Promise<boolean>;
  /** Writes `queues` only when the repository holds none (first start); `true` when it did. */
  seedIfEmpty(queues: readonly QueueConfig[]): Promise<boolean>;
}

/** The searchable subset of a recording's metadata JSON (the metadata files are the record). */
export interface CatalogEntry {
  id: string;
  callId: string;
  queue: string;
  from: string;
  to: string;
  startedAt: string;
  endedAt: string | null;
  status: string;
  retainUntil: string;
  /** Audio file name beside the metadata, or null. */
  audioFile: string | null;
  deletedAt: string | null;
}

export interface CatalogQuery {
  queue?: string | undefined;
  /** ISO time: recordings started at or after. */
  from?: string | undefined;
  /** ISO time: recordings started before. */
  to?: string | undefined;
  /** A caller or callee number: matches the user part of `from` or `to`. */
  number?: string | undefined;
}

export interface RecordingCatalog {
  upsert(entry: CatalogEntry): Promise<void>;
  get(id: string): Promise<CatalogEntry | undefined>;
  remove(id: string): Promise<boolean>;
  /** Matching entries, oldest first. */
  search(query: CatalogQuery): Promise<CatalogEntry[]>;
  ids(): Promise<string[]>;
}

export interface ConsentRecord {
  /** The caller's number as it was matched (user part of the From URI). */
  number: string;
  /** ISO time. */
  at: string;
  callId: string;
  queue: string;
  policy: string;
  outcome: string;
  details?: Record<string, unknown>;
}

export interface ConsentRepository {
  append(record: ConsentRecord): Promise<void>;
  /** Records of `number` (normalized), oldest first. */
  listByNumber(number: string): Promise<ConsentRecord[]>;
}

export interface ApiKeyRecord {
  /** Public key id (what the audit log names as actor). */
  id: string;
  role: Role;
  label: string;
  createdAt: string;
  /** SHA-256 (hex) of the secret key; the key itself is never stored. */
  hash: string;
}

export interface ApiKeyRepository {
  add(record: ApiKeyRecord): Promise<void>;
  findByHash(hash: string): Promise<ApiKeyRecord | undefined>;
  list(): Promise<ApiKeyRecord[]>;
  remove(id: string): Promise<boolean>;
}

export interface AuditEntryInput {
  /** Who: `key:<id>` or `system:<component>`; never a secret. */
  actor: string;
  action: string;
  target: string;
  details?: Record<string, unknown>;
}

export interface AuditEntry {
  seq: number;
  at: string;
  actor: string;
  action: string;
  target: string;
  details: Record<string, unknown>;
  prevHash: string;
  /** sha256(prevHash + canonical JSON of every other field). */
  hash: string;
}

export type AuditVerifyResult =
  { ok: true; count: number } | { ok: false; count: number; brokenAt: number; reason: string };

export interface AuditLog {
  append(input: AuditEntryInput, at?: Date): Promise<AuditEntry>;
  /** Entries with seq > `afterSeq` (default 0), at most `limit` (default all), in order. */
  list(options?: { afterSeq?: number; limit?: number }): Promise<AuditEntry[]>;
  /** Walks the whole chain; reports the first entry whose link or hash is wrong. */
  verify(): Promise<AuditVerifyResult>;
}

/**
 * One live call as published to the shared registry: the same fields as the admin API's
 * `CallSummary` (`calls/call-control.ts`), declared here because store/ may not import calls/.
 */
export interface LiveCall {
  readonly id: string;
  readonly queue: string;
  readonly from: string;
  readonly to: string;
  /** ISO time the caller's INVITE arrived. */
  readonly startedAt: string;
  readonly state: 'proceeding' | 'consent' | 'early' | 'confirmed' | 'ending' | 'ended';
  readonly recording: 'recording' | 'paused' | 'not-recorded';
  readonly pauseCauses: readonly string[];
}

/** A published live call with the instance that owns it. */
export interface LiveCallEntry extends LiveCall {
  readonly instanceId: string;
}

/** A call-control command sent to the instance that owns the call. */
export interface LiveCallCommand {
  readonly op: 'pause' | 'resume' | 'hangup';
  readonly callId: string;
  readonly reason?: string | undefined;
}

/**
 * Live calls of every instance sharing the store (issue 7): each instance replaces its own set
 * every couple of seconds; a set that is not refreshed within the TTL disappears (dead instance).
 * Commands for a call go to its owning instance, which alone can act on it.
 */
export interface LiveCallRegistry {
  /** Replaces `instanceId`'s live calls; they expire after the registry's TTL unless re-published. */
  publish(instanceId: string, calls: readonly LiveCall[]): Promise<void>;
  /** Removes `instanceId`'s set at once (clean shutdown). */
  withdraw(instanceId: string): Promise<void>;
  /** Every unexpired instance's calls, each with its `instanceId`. */
  list(): Promise<LiveCallEntry[]>;
  /** The instance that published `callId`, or undefined. */
  owner(callId: string): Promise<string | undefined>;
  /** Delivers `command` to `instanceId`'s handler; false when nobody listens for that instance. */
  sendCommand(instanceId: string, command: LiveCallCommand): Promise<boolean>;
  /**
   * Calls `handler` for each command sent to `instanceId` (a throwing handler is contained);
   * resolves once subscribed, to a function that unsubscribes.
   */
  onCommand(
    instanceId: string,
    handler: (command: LiveCallCommand) => void,
  ): Promise<() => Promise<void>>;
}

export interface Store {
  readonly kind: 'memory' | 'redis';
  readonly queues: QueueRepository;
  readonly catalog: RecordingCatalog;
  readonly consent: ConsentRepository;
  readonly apiKeys: ApiKeyRepository;
  readonly audit: AuditLog;
  readonly liveCalls: LiveCallRegistry;
  /** Whether the backend answers (readiness). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
