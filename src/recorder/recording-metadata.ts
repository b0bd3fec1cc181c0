/**
 * The metadata JSON written beside each recording (`<id>.json`): with the spool, the system of
 * record. Written temp-then-rename with fsync of the file and its directory, so a reader sees
 * either the old or the new version, never a torn one.
 */
import { createHash } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { AudioFormat, PauseBehaviour, RecorderGateEvent } from './spool-format.js';
import type { HoldIntervalRecord, Segment } from './pause-layout.js';

export const METADATA_SCHEMA = 'holdgate.recording/1';

/**
 * Lifecycle: `recording` ⇄ `paused` → `processing` → `complete`; after a crash `incomplete`;
 * nothing recordable → `absent` (metadata only); spool not durable → `failed` (spool kept);
 * removed by retention or request → `deleted` (metadata kept as a tombstone).
 */
export type RecordingStatus =
  | 'recording'
  | 'paused'
  | 'processing'
  | 'complete'
  | 'incomplete'
  | 'absent'
  | 'failed'
  | 'deleted';

export const FINAL_STATUSES: readonly RecordingStatus[] = [
  'complete',
  'incomplete',
  'absent',
  'failed',
  'deleted',
];

export interface RecordingAudio {
  file: string;
  format: AudioFormat;
  sha256: string;
  channels: ['caller', 'agent'];
  sampleRate: number;
  /** ffmpeg encoder used. */
  encoder: string;
  durationSeconds: number;
  bytes: number;
}

export interface RecordingMetadata {
  schema: typeof METADATA_SCHEMA;
  id: string;
  callId: string;
  queue: string;
  from: string;
  to: string;
  startedAt: string;
  endedAt: string | null;
  status: RecordingStatus;
  audio: RecordingAudio | null;
  pauseBehaviour: PauseBehaviour;
  delayMs: number;
  holdIntervals: HoldIntervalRecord[];
  gateEvents: RecorderGateEvent[];
  segments: Segment[];
  /** Consent policy, outcome and (issue 6, Build 5) the consent record of the call. */
  consent: { policy: string; outcome: string; record?: Record<string, unknown> };
  /** Source codec of the call's audio (e.g. PCMU). */
  codec: string;
  retainUntil: string;
  frames: { caller: number; agent: number; discarded: number };
  /** Spool file name while it exists (in-flight, failed), else null. */
  spool: string | null;
  /** Finalized by `recoverSpools` after a crash. */
  recovered: boolean;
  finalizedAt: string | null;
  failure?: string;
  deletedAt?: string;
  /**
   * SHA-256 (hex) of this JSON serialized without this field: detects any edit of the metadata
   * (not a signature: whoever can write the file can recompute it).
   */
  metadataSha256?: string;
}

/** The digest stored in `metadataSha256`: over `JSON.stringify` of everything else, in order. */
export function metadataDigest(meta: RecordingMetadata): string {
  const { metadataSha256: _ignored, ...rest } = meta;
  return createHash('sha256').update(JSON.stringify(rest)).digest('hex');
}

/** Writes `data` to `path` atomically: `.<name>.tmp`, fsync, rename, fsync the directory. */
export async function writeFileAtomic(path: string, data: string | Buffer): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.tmp`);
  const handle = await open(tmp, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (err) {
    await handle.close();
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  await handle.close();
  await rename(tmp, path);
  await syncDirectory(dirname(path));
}

/** fsync of a directory, so a rename or create in it is durable. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes `<id>.json` atomically, with `metadataSha256` set. */
export function writeMetadata(dir: string, meta: RecordingMetadata): Promise<void> {
  const { metadataSha256: _old, ...rest } = meta;
  const sealed: RecordingMetadata = { ...rest, metadataSha256: metadataDigest(rest) };
  return writeFileAtomic(metadataPath(dir, meta.id), JSON.stringify(sealed, null, 2) + '\n');
}

export function metadataPath(dir: string, id: string): string {
  return join(dir, `${id}.json`);
}
