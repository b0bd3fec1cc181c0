/**
 * Startup recovery: every spool in `dir` without a finished recording is finalized from the
 * spool alone and marked `incomplete` (a crash loses at most the last second). Spools whose
 * metadata already says `failed` are left alone (kept for inspection, never retried and
 * believed); a spool beside a finished recording (crash between rename and unlink) is removed.
 * Leftover temporary files (`.*.tmp`) are removed.
 */
import { readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { finalizeSpool } from './finalize-recording.js';
import { metadataPath, type RecordingMetadata } from './recording-metadata.js';
import { SPOOL_EXTENSION } from './spool-format.js';

export interface RecoveryResult {
  /** Ids finalized now, with their resulting status (`incomplete`, `absent` or `failed`). */
  recovered: { id: string; status: RecordingMetadata['status'] }[];
  /** Ids skipped because their recording had failed (spool kept). */
  keptFailed: string[];
  /** Spools removed because the recording was already finished. */
  removedStale: string[];
  /** Spools that could not be read at all (kept). */
  unreadable: { id: string; reason: string }[];
}

export async function recoverSpools(dir: string): Promise<RecoveryResult> {
  const result: RecoveryResult = {
    recovered: [],
    keptFailed: [],
    removedStale: [],
    unreadable: [],
  };
  const names = await readdir(dir);
  for (const name of names) {
    if (name.startsWith('.') && name.endsWith('.tmp')) {
      await unlink(join(dir, name)).catch(() => undefined);
    }
  }
  for (const name of names) {
    if (!name.endsWith(SPOOL_EXTENSION) || name.startsWith('.')) continue;
    const id = name.slice(0, -SPOOL_EXTENSION.length);
    const status = await existingStatus(dir, id);
    if (status === 'failed') {
      result.keptFailed.push(id);
      continue;
    }
    if (
      status === 'complete' ||
      status === 'incomplete' ||
      status === 'absent' ||
      status === 'deleted'
    ) {
      await unlink(join(dir, name)).catch(() => undefined);
      result.removedStale.push(id);
      continue;
    }
    try {
      const meta = await finalizeSpool(join(dir, name), { status: 'incomplete', recovered: true });
      result.recovered.push({ id, status: meta.status });
    } catch (err) {
      result.unreadable.push({ id, reason: err instanceof Error ? err.message : String(err) });
    }
  }
  return result;
}

async function existingStatus(dir: string, id: string): Promise<string | undefined> {
  try {
    const meta = JSON.parse(await readFile(metadataPath(dir, id), 'utf8')) as { status?: unknown };
    return typeof meta.status === 'string' ? meta.status : undefined;
  } catch {
    return undefined;
  }
}
