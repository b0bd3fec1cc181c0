/**
 * The privacy officer's file operations on recordings: the metadata JSON files written by the
 * recorder are the system of record; the catalog is an index rebuilt from them.
 */
import { readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import {
  metadataPath,
  writeMetadata,
  type RecordingMetadata,
} from '../recorder/recording-metadata.js';
import type { CatalogEntry, RecordingCatalog } from '../store/index.js';

/** Recording ids the API accepts (no path separators, no leading dot). */
export const RECORDING_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.@-]{0,127}$';
const ID_RE = new RegExp(RECORDING_ID_PATTERN);

export function isRecordingId(id: string): boolean {
  return ID_RE.test(id);
}

/** The metadata of `id`, or undefined when there is no such (readable) file. */
export async function readMetadata(
  dir: string,
  id: string,
): Promise<RecordingMetadata | undefined> {
  if (!isRecordingId(id)) return undefined;
  try {
    const meta = JSON.parse(await readFile(metadataPath(dir, id), 'utf8')) as RecordingMetadata;
    return meta.id === id ? meta : undefined;
  } catch {
    return undefined;
  }
}

export function catalogEntryFrom(meta: RecordingMetadata): CatalogEntry {
  return {
    id: meta.id,
    callId: meta.callId,
    queue: meta.queue,
    from: meta.from,
    to: meta.to,
    startedAt: meta.startedAt,
    endedAt: meta.endedAt,
    status: meta.status,
    retainUntil: meta.retainUntil,
    audioFile: meta.audio?.file ?? null,
    deletedAt: meta.deletedAt ?? null,
  };
}

/**
 * Rebuilds the catalog from `<dir>/*.json`: upserts every recording found, removes entries
 * whose metadata is gone. Returns the number of recordings indexed.
 */
export async function rebuildCatalog(catalog: RecordingCatalog, dir: string): Promise<number> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const found = new Set<string>();
  for (const name of names) {
    if (!name.endsWith('.json') || name.startsWith('.')) continue;
    const meta = await readMetadata(dir, name.slice(0, -'.json'.length));
    if (!meta || typeof meta.startedAt !== 'string') continue;
    await catalog.upsert(catalogEntryFrom(meta));
    found.add(meta.id);
  }
  for (const id of await catalog.ids()) {
    if (!found.has(id)) await catalog.remove(id);
  }
  return found.size;
}

/** Indexes one recording after the recorder wrote or finalized it; false when unreadable. */
export async function indexRecording(
  catalog: RecordingCatalog,
  dir: string,
  id: string,
): Promise<boolean> {
  const meta = await readMetadata(dir, id);
  if (!meta) return false;
  await catalog.upsert(catalogEntryFrom(meta));
  return true;
}

async function unlinkIfExists(path: string): Promise<boolean> {
  try {
    await unlink(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/** Files a recording occupies besides its metadata (audio, spool), by name. */
export function mediaFiles(meta: RecordingMetadata): string[] {
  const files: string[] = [];
  if (meta.audio?.file) files.push(meta.audio.file);
  if (meta.spool) files.push(meta.spool);
  return files.filter((f) => !f.includes('/') && !f.startsWith('.'));
}

/**
 * Deletes the audio (and any spool) and rewrites the metadata as a tombstone: status `deleted`,
 * `deletedAt`, no audio, caller and callee numbers removed. Returns the deleted file names and
 * the tombstone.
 */
export async function deleteRecordingMedia(
  dir: string,
  meta: RecordingMetadata,
  at: Date,
): Promise<{ files: string[]; tombstone: RecordingMetadata }> {
  const files: string[] = [];
  for (const f of mediaFiles(meta)) if (await unlinkIfExists(join(dir, f))) files.push(f);
  const tombstone: RecordingMetadata = {
    ...meta,
    status: 'deleted',
    audio: null,
    spool: null,
    from: '',
    to: '',
    deletedAt: at.toISOString(),
  };
  await writeMetadata(dir, tombstone);
  return { files, tombstone };
}

/** Erasure: audio, spool and metadata all removed. Returns the deleted file names. */
export async function eraseRecording(dir: string, meta: RecordingMetadata): Promise<string[]> {
  const files: string[] = [];
  for (const f of mediaFiles(meta)) if (await unlinkIfExists(join(dir, f))) files.push(f);
  if (await unlinkIfExists(metadataPath(dir, meta.id))) files.push(`${meta.id}.json`);
  return files;
}
