import { createHash } from 'node:crypto';
import { access, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RecordingMetadata } from '../recorder/index.js';
import { silentLogger } from '../shared/logger.js';
import { makeHarness, type Harness } from './admin-test-harness.js';
import { rebuildCatalog } from './recording-files.js';
import { wavBytes, writeRecordingFixture } from './recording-fixture.js';
import { RetentionSweeper } from './retention-sweeper.js';

const CALLER = 'sip:+4930123@127.0.0.1';
const exists = (p: string) =>
  access(p).then(
    () => true,
    () => false,
  );
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let h: Harness;
let recs: Record<string, RecordingMetadata>;
beforeEach(async () => {
  h = await makeHarness();
  recs = {};
  recs.a = await writeRecordingFixture(h.dir, {
    id: 'rec-a',
    from: CALLER,
    startedAt: '2025-03-01T10:00:00.000Z',
  });
  recs.b = await writeRecordingFixture(h.dir, {
    id: 'rec-b',
    from: 'sip:+4940999@127.0.0.1',
    to: 'sip:+4930123@127.0.0.1',
    queue: 'support',
    startedAt: '2025-03-02T10:00:00.000Z',
  });
  recs.c = await writeRecordingFixture(h.dir, {
    id: 'rec-c',
    from: 'sip:+4940999@127.0.0.1',
    startedAt: '2025-03-03T10:00:00.000Z',
  });
  expect(await rebuildCatalog(h.store.catalog, h.dir)).toBe(3);
  await h.store.consent.append({
    number: '+4930123',
    at: '2025-03-01T10:00:01.000Z',
    callId: recs.a.callId,
    queue: 'sales',
    policy: 'announce',
    outcome: 'accepted',
  });
});
afterEach(async () => {
  await h.close();
});

const get = (
  url: string,
  role: Parameters<Harness['auth']>[0],
  headers: Record<string, string> = {},
) => h.app.inject({ url, headers: { ...h.auth(role), ...headers } });

describe('recordings', () => {
  it('searches by number (from or to), queue and time range', async () => {
    const ids = async (qs: string) =>
      (await get(`/recordings?${qs}`, 'viewer')).json<{ id: string }[]>().map((r) => r.id);
    expect(await ids('number=%2B4930123')).toEqual(['rec-a', 'rec-b']);
    expect(await ids('queue=support')).toEqual(['rec-b']);
    expect(await ids('from=2025-03-02T00:00:00Z&to=2025-03-04T00:00:00Z')).toEqual([
      'rec-b',
      'rec-c',
    ]);
    const bad = await get('/recordings?from=yesterday', 'viewer');
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ errors: { path: string }[] }>().errors[0]?.path).toBe('/querystring/from');
  });

  it('returns metadata to a viewer but refuses audio; reads are not audited, audio is', async () => {
    const meta = await get('/recordings/rec-a', 'viewer');
    expect(meta.json()).toMatchObject({ id: 'rec-a', from: CALLER, segments: recs.a!.segments });
    expect((await get('/recordings/rec-a/audio', 'viewer')).statusCode).toBe(403);
    expect((await get('/recordings/..%2Fetc', 'viewer')).statusCode).toBe(400);
    expect(await h.store.audit.list()).toEqual([]);
  });

  it('lets only the queue’s listen roles download its audio', async () => {
    await h.store.queues.put({
      name: 'support',
      match: { requestUser: '9' },
      pbx: { host: '10.0.0.9', port: 5060, transport: 'udp' },
      listenRoles: ['privacy-officer'],
    });
    const refused = await get('/recordings/rec-b/audio', 'supervisor');
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ code: 'HG_ERR_API_FORBIDDEN' });
    expect((await get('/recordings/rec-b/audio', 'privacy-officer')).statusCode).toBe(200);
    // A queue without the setting keeps the default: supervisor and above.
    expect((await get('/recordings/rec-a/audio', 'supervisor')).statusCode).toBe(200);
  });

  it('streams audio whole and by Range (first bytes, open end, suffix), 416 outside', async () => {
    const wav = wavBytes(1);
    const full = await get('/recordings/rec-a/audio', 'supervisor');
    expect(full.statusCode).toBe(200);
    expect(full.headers['content-type']).toBe('audio/wav');
    expect(full.headers['accept-ranges']).toBe('bytes');
    expect(full.rawPayload.equals(wav)).toBe(true);

    const first = await get('/recordings/rec-a/audio', 'supervisor', { range: 'bytes=0-43' });
    expect(first.statusCode).toBe(206);
    expect(first.headers['content-range']).toBe(`bytes 0-43/${wav.length}`);
    expect(first.rawPayload.equals(wav.subarray(0, 44))).toBe(true);

    const open = await get('/recordings/rec-a/audio', 'supervisor', { range: 'bytes=32000-' });
    expect(open.statusCode).toBe(206);
    expect(open.rawPayload.equals(wav.subarray(32000))).toBe(true);

    const suffix = await get('/recordings/rec-a/audio', 'supervisor', { range: 'bytes=-100' });
    expect(suffix.headers['content-range']).toBe(
      `bytes ${wav.length - 100}-${wav.length - 1}/${wav.length}`,
    );
    expect(suffix.rawPayload.equals(wav.subarray(wav.length - 100))).toBe(true);

    const outside = await get('/recordings/rec-a/audio', 'supervisor', {
      range: `bytes=${wav.length}-`,
    });
    expect(outside.statusCode).toBe(416);
    expect(outside.headers['content-range']).toBe(`bytes */${wav.length}`);
    expect(outside.json()).toMatchObject({ code: 'HG_ERR_API_RANGE' });

    const audit = await h.store.audit.list();
    expect(audit).toHaveLength(5);
    expect(
      audit.every(
        (e) => e.action === 'recording.audio.read' && e.actor === `key:${h.keyIds.supervisor}`,
      ),
    ).toBe(true);
    expect(audit[1]?.details).toEqual({ range: 'bytes=0-43' });
  });

  it('verifies integrity and detects an edited audio file', async () => {
    const ok = await h.app.inject({
      method: 'POST',
      url: '/recordings/rec-a/verify',
      headers: h.auth('viewer'),
    });
    expect(ok.json()).toEqual({ id: 'rec-a', ok: true });
    const wav = wavBytes(1);
    wav[1000] = (wav[1000]! + 1) & 0xff;
    await writeFile(join(h.dir, 'rec-a.wav'), wav);
    const bad = await h.app.inject({
      method: 'POST',
      url: '/recordings/rec-a/verify',
      headers: h.auth('viewer'),
    });
    expect(bad.json()).toEqual({ id: 'rec-a', ok: false, reason: 'audio SHA-256 mismatch' });
  });

  it('deletes audio, keeps a tombstone without numbers, audits, and refuses a second delete', async () => {
    const res = await h.app.inject({
      method: 'DELETE',
      url: '/recordings/rec-a',
      headers: h.auth('privacy-officer'),
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: 'rec-a', status: 'deleted', files: ['rec-a.wav'] });
    expect(await exists(join(h.dir, 'rec-a.wav'))).toBe(false);
    const tomb = JSON.parse(await readFile(join(h.dir, 'rec-a.json'), 'utf8')) as RecordingMetadata;
    expect(tomb).toMatchObject({ status: 'deleted', audio: null, from: '', to: '' });
    expect((await h.store.catalog.get('rec-a'))?.status).toBe('deleted');
    expect(
      (await get('/recordings?number=%2B4930123', 'viewer'))
        .json<{ id: string }[]>()
        .map((r) => r.id),
    ).toEqual(['rec-b']);
    const again = await h.app.inject({
      method: 'DELETE',
      url: '/recordings/rec-a',
      headers: h.auth('privacy-officer'),
    });
    expect(again.statusCode).toBe(409);
    expect((await h.store.audit.list()).map((e) => `${e.actor} ${e.action} ${e.target}`)).toEqual([
      `key:${h.keyIds['privacy-officer']} recording.delete rec-a`,
    ]);
  });
});

async function untar(gz: Buffer): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const ex = extract();
  ex.on('entry', (header, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: unknown) => chunks.push(c as Buffer));
    stream.on('end', () => {
      files.set(header.name, Buffer.concat(chunks));
      next();
    });
  });
  await new Promise<void>((resolve, reject) => {
    ex.on('finish', resolve);
    ex.on('error', reject);
    Readable.from([gz]).pipe(createGunzip()).pipe(ex);
  });
  return files;
}

describe('subject requests', () => {
  it('exports every recording of the number (from or to) with consent and a correct manifest', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/subjects/+4930123/export',
      headers: h.auth('privacy-officer'),
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/gzip');
    const files = await untar(res.rawPayload);
    expect([...files.keys()].sort()).toEqual([
      'consent.json',
      'manifest.json',
      'recordings/rec-a.json',
      'recordings/rec-a.wav',
      'recordings/rec-b.json',
      'recordings/rec-b.wav',
    ]);
    expect(files.get('recordings/rec-a.wav')!.equals(wavBytes(1))).toBe(true);
    expect(JSON.parse(files.get('consent.json')!.toString())).toMatchObject([
      { outcome: 'accepted' },
    ]);
    const manifest = JSON.parse(files.get('manifest.json')!.toString()) as {
      recordings: string[];
      files: { path: string; sha256: string; bytes: number }[];
    };
    expect(manifest.recordings).toEqual(['rec-a', 'rec-b']);
    expect(manifest.files.map((f) => f.path).sort()).toEqual(
      [...files.keys()].filter((n) => n !== 'manifest.json').sort(),
    );
    for (const f of manifest.files) {
      expect(f.sha256, f.path).toBe(sha256(files.get(f.path)!));
      expect(f.bytes).toBe(files.get(f.path)!.length);
    }
    expect(recs.a!.audio?.sha256).toBe(sha256(files.get('recordings/rec-a.wav')!));
    const audit = await h.store.audit.list();
    expect(audit.map((e) => e.action)).toEqual(['subject.export']);
    expect(JSON.stringify(audit)).not.toContain('4930123');
  });

  it('erases audio and metadata, returns a signed receipt that verifies, and fails once edited', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/subjects/+4930123/erase',
      headers: h.auth('privacy-officer'),
    });
    expect(res.statusCode).toBe(201);
    const { receipt } = res.json<{
      receipt: { id: string; recordings: { id: string; files: string[] }[] };
    }>();
    expect(receipt.recordings.map((r) => [r.id, [...r.files].sort()])).toEqual([
      ['rec-a', ['rec-a.json', 'rec-a.wav']],
      ['rec-b', ['rec-b.json', 'rec-b.wav']],
    ]);
    for (const f of ['rec-a.json', 'rec-a.wav', 'rec-b.json', 'rec-b.wav'])
      expect(await exists(join(h.dir, f))).toBe(false);
    expect(await exists(join(h.dir, 'rec-c.wav'))).toBe(true);
    expect(await h.store.catalog.ids()).toEqual(['rec-c']);

    const po = h.auth('privacy-officer');
    const stored = await h.app.inject({ url: `/receipts/${receipt.id}`, headers: po });
    expect(stored.json()).toEqual(receipt);
    const verify = () =>
      h.app.inject({ method: 'POST', url: `/receipts/${receipt.id}/verify`, headers: po });
    expect((await verify()).json()).toEqual({ id: receipt.id, ok: true });

    const path = join(h.dir, 'receipts', `${receipt.id}.json`);
    const edited = JSON.parse(await readFile(path, 'utf8')) as { recordings: unknown[] };
    edited.recordings.pop();
    await writeFile(path, JSON.stringify(edited));
    expect((await verify()).json()).toMatchObject({
      ok: false,
      reason: 'signature does not match the contents',
    });

    const audit = await h.store.audit.list();
    expect(audit.map((e) => [e.action, e.details['receipt']])).toEqual([
      ['subject.erase', receipt.id],
    ]);
  });

  it('rejects a malformed number with the path', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/subjects/a%20b/erase',
      headers: h.auth('privacy-officer'),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json<{ errors: { path: string }[] }>().errors[0]?.path).toBe('/params/number');
  });
});

describe('RetentionSweeper', () => {
  it('deletes exactly the recordings past retainUntil and audits each', async () => {
    await writeRecordingFixture(h.dir, {
      id: 'old-1',
      from: CALLER,
      retainUntil: '2025-06-01T00:00:00.000Z',
    });
    await writeRecordingFixture(h.dir, {
      id: 'old-2',
      from: CALLER,
      retainUntil: '2025-06-30T23:59:59.000Z',
    });
    await writeRecordingFixture(h.dir, {
      id: 'edge',
      from: CALLER,
      retainUntil: '2025-07-01T00:00:00.001Z',
    });
    await writeRecordingFixture(h.dir, {
      id: 'live',
      from: CALLER,
      retainUntil: '2025-01-01T00:00:00.000Z',
      status: 'recording',
    });
    await rebuildCatalog(h.store.catalog, h.dir);
    const sweeper = new RetentionSweeper({
      store: h.store,
      recordingsDir: h.dir,
      logger: silentLogger(),
    });
    const now = new Date('2025-07-01T00:00:00.000Z');
    expect((await sweeper.sweep(now)).sort()).toEqual(['old-1', 'old-2']);
    for (const id of ['old-1', 'old-2']) {
      expect(await exists(join(h.dir, `${id}.wav`))).toBe(false);
      expect((await h.store.catalog.get(id))?.status).toBe('deleted');
    }
    for (const id of ['edge', 'live', 'rec-a'])
      expect(await exists(join(h.dir, `${id}.wav`))).toBe(true);
    const audit = await h.store.audit.list();
    expect(audit.map((e) => `${e.actor} ${e.action} ${e.target}`).sort()).toEqual([
      'system:retention recording.delete old-1',
      'system:retention recording.delete old-2',
    ]);
    expect(await sweeper.sweep(now)).toEqual([]);
  });
});

describe('catalog', () => {
  it('erasure finds a recording the catalog has not indexed yet (rebuilt from the files)', async () => {
    await writeRecordingFixture(h.dir, { id: 'late', from: CALLER });
    expect(await h.store.catalog.get('late')).toBeUndefined();
    const res = await h.app.inject({
      method: 'POST',
      url: '/subjects/+4930123/erase',
      headers: h.auth('privacy-officer'),
    });
    const ids = res.json<{ receipt: { recordings: { id: string }[] } }>().receipt.recordings;
    expect(ids.map((r) => r.id)).toEqual(['late', 'rec-a', 'rec-b']); // same start: by id
    expect(await exists(join(h.dir, 'late.wav'))).toBe(false);
  });
});
