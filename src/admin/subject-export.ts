/**
 * Access request (GDPR Art. 15): a tar.gz of every recording of one caller (audio + metadata),
 * their consent records and a `manifest.json` with the SHA-256 of every other file in it.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform, type Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { pack as tarPack, type Pack } from 'tar-stream';
import type { RecordingMetadata } from '../recorder/index.js';
import type { ConsentRecord } from '../store/index.js';
import type { Logger } from '../shared/logger.js';
import { mediaFiles } from './recording-files.js';

export interface ManifestFile {
  path: string;
  sha256: string;
  bytes: number;
}

export interface ExportManifest {
  subject: string;
  createdAt: string;
  recordings: string[];
  files: ManifestFile[];
}

function addBuffer(pack: Pack, name: string, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    pack.entry({ name, size: data.length, mode: 0o644 }, data, (err) =>
      err ? reject(err) : resolve(),
    );
  });
}

async function addFile(pack: Pack, name: string, path: string): Promise<ManifestFile> {
  const { size } = await stat(path);
  const hash = createHash('sha256');
  const entry = pack.entry({ name, size, mode: 0o644 });
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      cb(null, chunk);
    },
  });
  await pipeline(createReadStream(path), tap, entry);
  return { path: name, sha256: hash.digest('hex'), bytes: size };
}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** The archive as a gzip stream; files are read as the stream is consumed. */
export function exportSubject(options: {
  subject: string;
  recordingsDir: string;
  recordings: readonly RecordingMetadata[];
  consent: readonly ConsentRecord[];
  logger: Logger;
  now?: Date;
}): Readable {
  const pack = tarPack();
  const gzip = createGzip();
  const files: ManifestFile[] = [];
  const build = async (): Promise<void> => {
    for (const meta of options.recordings) {
      const json = Buffer.from(JSON.stringify(meta, null, 2) + '\n');
      const name = `recordings/${meta.id}.json`;
      await addBuffer(pack, name, json);
      files.push({ path: name, sha256: sha256(json), bytes: json.length });
      for (const f of mediaFiles(meta).filter((x) => x === meta.audio?.file)) {
        files.push(await addFile(pack, `recordings/${f}`, join(options.recordingsDir, f)));
      }
    }
    const consent = Buffer.from(JSON.stringify(options.consent, null, 2) + '\n');
    await addBuffer(pack, 'consent.json', consent);
    files.push({ path: 'consent.json', sha256: sha256(consent), bytes: consent.length });
    const manifest: ExportManifest = {
      subject: options.subject,
      createdAt: (options.now ?? new Date()).toISOString(),
      recordings: options.recordings.map((r) => r.id),
      files,
    };
    await addBuffer(pack, 'manifest.json', Buffer.from(JSON.stringify(manifest, null, 2) + '\n'));
    pack.finalize();
  };
  build().catch((err: unknown) => {
    options.logger.error({ err }, 'subject export failed');
    pack.destroy(err instanceof Error ? err : new Error(String(err)));
    gzip.destroy(err instanceof Error ? err : new Error(String(err)));
  });
  return pack.pipe(gzip);
}
