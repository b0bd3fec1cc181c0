/**
 * Retention: deletes every finalized recording whose `retainUntil` has passed (audio removed,
 * metadata kept as a tombstone) and audits each deletion. The deadline is read from the
 * metadata file (the system of record), not trusted from the catalog.
 */
import { FINAL_STATUSES } from '../recorder/index.js';
import type { Logger } from '../shared/logger.js';
import type { Store } from '../store/index.js';
import { catalogEntryFrom, deleteRecordingMedia, readMetadata } from './recording-files.js';

export interface RetentionSweeperOptions {
  store: Store;
  recordingsDir: string;
  logger: Logger;
}

export class RetentionSweeper {
  constructor(private readonly options: RetentionSweeperOptions) {}

  /** Deletes what expired before `now`; returns the ids deleted. */
  async sweep(now: Date = new Date()): Promise<string[]> {
    const { store, recordingsDir, logger } = this.options;
    const deleted: string[] = [];
    for (const entry of await store.catalog.search({})) {
      if (entry.status === 'deleted' || !(Date.parse(entry.retainUntil) <= now.getTime())) continue;
      const meta = await readMetadata(recordingsDir, entry.id);
      if (!meta || meta.status === 'deleted') continue;
      if (!FINAL_STATUSES.includes(meta.status)) continue; // still being written
      if (!(Date.parse(meta.retainUntil) <= now.getTime())) continue;
      try {
        const { files, tombstone } = await deleteRecordingMedia(recordingsDir, meta, now);
        await store.catalog.upsert(catalogEntryFrom(tombstone));
        await store.audit.append(
          {
            actor: 'system:retention',
            action: 'recording.delete',
            target: meta.id,
            details: { reason: 'retention', retainUntil: meta.retainUntil, files },
          },
          now,
        );
        deleted.push(meta.id);
      } catch (err) {
        logger.error({ err, recordingId: meta.id }, 'retention delete failed');
      }
    }
    if (deleted.length > 0) logger.info({ count: deleted.length }, 'retention sweep deleted');
    return deleted;
  }
}
