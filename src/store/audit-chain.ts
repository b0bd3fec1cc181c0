/**
 * The audit log's hash chain: each entry carries the hash of the one before, so editing,
 * removing or reordering an entry breaks every link after it and `verifyAuditChain` names the
 * first broken one. Shared by the memory and Redis logs.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';
import type { AuditEntry, AuditEntryInput, AuditVerifyResult } from './types.js';

/** prevHash of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

/** sha256(prevHash + canonical JSON of the entry without `hash`), hex. */
export function auditEntryHash(entry: Omit<AuditEntry, 'hash'>): string {
  const { seq, at, actor, action, target, details, prevHash } = entry;
  return createHash('sha256')
    .update(prevHash + canonicalJson({ seq, at, actor, action, target, details, prevHash }))
    .digest('hex');
}

/** The next entry after a head (`seq` 0 and GENESIS_HASH for an empty log). */
export function chainEntry(
  input: AuditEntryInput,
  head: { seq: number; hash: string },
  at: Date,
): AuditEntry {
  const body = {
    seq: head.seq + 1,
    at: at.toISOString(),
    actor: input.actor,
    action: input.action,
    target: input.target,
    details: input.details ?? {},
    prevHash: head.hash,
  };
  return { ...body, hash: auditEntryHash(body) };
}

export function verifyAuditChain(entries: readonly AuditEntry[]): AuditVerifyResult {
  let prev = GENESIS_HASH;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    const expectedSeq = i + 1;
    const broken = (reason: string): AuditVerifyResult => ({
      ok: false,
      count: entries.length,
      brokenAt: expectedSeq,
      reason,
    });
    if (e.seq !== expectedSeq) return broken(`seq ${e.seq} where ${expectedSeq} was expected`);
    if (e.prevHash !== prev) return broken('prevHash does not match the previous entry');
    if (auditEntryHash(e) !== e.hash) return broken('hash does not match the entry (edited)');
    prev = e.hash;
  }
  return { ok: true, count: entries.length };
}
