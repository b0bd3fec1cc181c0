/**
 * Export and erasure end to end on recordings produced by a SIPp call (issue 7, Proof): a SIPp
 * caller with a known number and a SIPp PBX stream real G.711 RTP (rtp_stream) through holdgate,
 * which records the call; a second SIPp caller with another number is recorded too, so every
 * step must pick the right caller. Then, over the admin HTTP API only: search by the caller's
 * number, byte-exact download, access request (tar.gz whose manifest hashes are checked against
 * every member), erasure with an Ed25519-signed receipt (checked here with node:crypto against
 * the key holdgate keeps on disk, and tampered with to show the check can fail), files gone from
 * disk, the audit chain verified by the API and recomputed here, and after a restart the receipt
 * is still served and still verifies.
 *
 * Addresses 127.0.0.190–199, media ports 49000–49199.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  randomBytes,
  verify as verifySignature,
} from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { extract } from 'tar-stream';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { defaultReceiptKeyFile, type ErasureReceipt } from '../src/admin/erasure-receipts.js';
import type { ExportManifest } from '../src/admin/subject-export.js';
import { validateConfig } from '../src/config/load-config.js';
import { startHoldgate, type Holdgate } from '../src/main.js';
import { silentLogger } from '../src/shared/logger.js';
import { canonicalJson, type AuditEntry, type ConsentRecord } from '../src/store/index.js';
import { decodeChannels, decodePcm } from './peers/recording-checks.js';
import {
  describeSippResult,
  killAllSipp,
  promptWav,
  runSipp,
  startSippServer,
  streamingScenario,
} from './support/sipp.js';
import { withTimeout } from './support/with-timeout.js';

const HG_IP = '127.0.0.190';
const SUBJECT_IP = '127.0.0.191';
const PBX_IP = '127.0.0.192';
const OTHER_IP = '127.0.0.193';
const PBX_PORT = 5060;
const KEY = randomBytes(24).toString('hex');
/** The data subject: SIPp's From user (`-set caller_number`), with a `+` to exercise encoding. */
const SUBJECT = '+33612340190';
const OTHER = '+33612340193';
/** Asterisk prompts the callers and the PBX stream (en_US_f_Allison). */
const CALLER_PROMPT = 'agent-loginok';
const PBX_PROMPT = 'call-forwarding';

const running: Holdgate[] = [];
afterEach(async () => {
  for (const h of running.splice(0)) await h.close();
});
afterAll(async () => {
  await killAllSipp();
});

async function start(dir: string): Promise<Holdgate> {
  const hg = await startHoldgate(
    validateConfig({
      sip: { listen: [{ protocol: 'udp', address: HG_IP, port: 0 }] },
      media: { address: HG_IP, portMin: 49000, portMax: 49199, workers: 1 },
      recording: { dir, delaySeconds: 0 },
      admin: { enabled: true, address: HG_IP, port: 0 },
      acl: { trunks: [`${SUBJECT_IP}/32`, `${OTHER_IP}/32`] },
      queues: [
        { name: 'care', match: { requestUser: '1000' }, pbx: { host: PBX_IP, port: PBX_PORT } },
      ],
    }),
    { logger: silentLogger(), env: { HOLDGATE_ADMIN_KEY: KEY } },
  );
  running.push(hg);
  return hg;
}

async function api(hg: Holdgate, method: string, path: string): Promise<Response> {
  const a = hg.adminAddress()!;
  return fetch(`http://${a.address}:${a.port}${path}`, {
    method,
    headers: { authorization: `Bearer ${KEY}` },
  });
}

async function json<T>(hg: Holdgate, method: string, path: string, status = 200): Promise<T> {
  const res = await api(hg, method, path);
  const text = await res.text();
  expect(res.status, `${method} ${path}: ${text.slice(0, 300)}`).toBe(status);
  return JSON.parse(text) as T;
}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** The members of a tar.gz, by name. */
async function untar(gz: Buffer): Promise<Map<string, Buffer>> {
  const members = new Map<string, Buffer>();
  const ex = extract();
  ex.end(gunzipSync(gz));
  for await (const entry of ex) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    members.set(entry.header.name, Buffer.concat(chunks));
  }
  return members;
}

/** RMS of each 20 ms block (160 samples at 8 kHz). */
function blockRms(samples: Int16Array): number[] {
  const out: number[] = [];
  for (let off = 0; off + 160 <= samples.length; off += 160) {
    let sum = 0;
    for (let i = off; i < off + 160; i++) sum += samples[i]! * samples[i]!;
    out.push(Math.sqrt(sum / 160));
  }
  return out;
}

/**
 * Of the 10 ms windows every 50 ms of `channel` that carry speech (RMS > 300), how many occur
 * sample for sample in `source`.
 */
function windowsFoundIn(channel: Int16Array, source: Int16Array): { loud: number; found: number } {
  const haystack = Buffer.from(source.buffer, source.byteOffset, source.byteLength);
  let loud = 0;
  let found = 0;
  for (let off = 0; off + 80 <= channel.length; off += 400) {
    const w = channel.subarray(off, off + 80);
    if (Math.sqrt(w.reduce((s, x) => s + x * x, 0) / 80) <= 300) continue;
    loud++;
    const needle = Buffer.from(w.buffer, w.byteOffset, w.byteLength);
    // a match must start on a sample boundary
    for (let at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + 1)) {
      if (at % 2 === 0) {
        found++;
        break;
      }
    }
  }
  return { loud, found };
}

/** Ed25519 check of a receipt over the canonical JSON of every field but `signature`. */
function receiptSignatureValid(receipt: ErasureReceipt, publicKeyPem: string): boolean {
  const { signature, ...unsigned } = receipt;
  return verifySignature(
    null,
    Buffer.from(canonicalJson(unsigned)),
    createPublicKey(publicKeyPem),
    Buffer.from(signature, 'base64'),
  );
}

interface CatalogEntry {
  id: string;
  from: string;
  status: string;
  audioFile: string | null;
}
interface Metadata {
  id: string;
  callId: string;
  from: string;
  status: string;
  audio: { file: string; bytes: number; sha256: string; format: string } | null;
  frames: { caller: number; agent: number };
}

describe('admin API on recordings produced by SIPp', () => {
  it('searches, downloads, exports and erases one caller’s SIPp-recorded call, with a verifiable receipt', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hg-admin-sipp-'));
    const recordings = join(dir, 'recordings');
    let hg = await start(recordings);
    const sip = hg.localEndpoints().find((e) => e.protocol === 'udp')!;

    // --- Two real SIPp calls, each streaming a prompt both ways for 3 s --------------------
    const pbx = startSippServer({
      scenario: streamingScenario(dir, 'uas-answer-streams-rtp.xml', promptWav(dir, PBX_PROMPT)),
      localIp: PBX_IP,
      localPort: PBX_PORT,
      calls: 2,
      timeoutSec: 60,
    });
    await withTimeout(pbx.ready, 10_000, 'pbx ready');
    const callerScenario = streamingScenario(
      dir,
      'uac-numbered-caller-streams-rtp.xml',
      promptWav(dir, CALLER_PROMPT),
    );
    for (const [ip, number] of [
      [SUBJECT_IP, SUBJECT],
      [OTHER_IP, OTHER],
    ] as const) {
      const caller = await runSipp({
        scenario: callerScenario,
        remote: `${sip.address}:${sip.port}`,
        localIp: ip,
        localPort: 5070,
        calls: 1,
        timeoutSec: 30,
        service: '1000',
        vars: { caller_number: number },
      });
      expect(caller.stats?.successfulCalls, describeSippResult(caller)).toBe(1);
      expect(caller.exitCode, describeSippResult(caller)).toBe(0);
    }
    const pbxResult = await withTimeout(pbx.done, 20_000, 'pbx done');
    expect(pbxResult.stats?.successfulCalls, describeSippResult(pbxResult)).toBe(2);

    // --- Search by the caller's number (each call finalizes off the call path) ---------------
    const search = (n: string): Promise<CatalogEntry[]> =>
      json<CatalogEntry[]>(hg, 'GET', `/recordings?number=${encodeURIComponent(n)}`);
    await expect
      .poll(async () => (await search(SUBJECT)).map((e) => e.status), { timeout: 15_000 })
      .toEqual(['complete']);
    await expect
      .poll(async () => (await search(OTHER)).map((e) => e.status), { timeout: 15_000 })
      .toEqual(['complete']);
    const [entry] = await search(SUBJECT);
    const [other] = await search(OTHER);
    expect(entry!.id).not.toBe(other!.id);
    expect(entry!.from).toContain(SUBJECT);
    expect(other!.from).toContain(OTHER);
    const id = entry!.id;

    const meta = await json<Metadata>(hg, 'GET', `/recordings/${id}`);
    expect(meta.status).toBe('complete');
    expect(meta.audio).not.toBeNull();
    const audioFile = meta.audio!.file;
    // 3 s streamed each way is 150 frames of 20 ms; the gate opens at the ACK.
    expect(meta.frames.caller).toBeGreaterThan(100);
    expect(meta.frames.agent).toBeGreaterThan(100);
    const onDisk = readFileSync(join(recordings, audioFile));
    expect(sha256(onDisk)).toBe(meta.audio!.sha256);
    expect(
      (await json<{ ok: boolean }>(hg, 'POST', `/recordings/${id}/verify`)).ok,
      'integrity check',
    ).toBe(true);

    // --- Byte-exact download -------------------------------------------------------------
    const audioRes = await api(hg, 'GET', `/recordings/${id}/audio`);
    expect(audioRes.status).toBe(200);
    expect(audioRes.headers.get('content-type')).toMatch(/^audio\/wav/);
    const downloaded = Buffer.from(await audioRes.arrayBuffer());
    expect(downloaded.length).toBe(meta.audio!.bytes);
    expect(sha256(downloaded)).toBe(meta.audio!.sha256);
    expect(downloaded.equals(onDisk)).toBe(true);

    // The recording holds real audio: the streamed prompts, on both channels (caller left).
    const wavCopy = join(dir, 'downloaded.wav');
    writeFileSync(wavCopy, downloaded);
    const { caller: callerPcm, agent: agentPcm } = decodeChannels(wavCopy);
    const callerLoud = blockRms(callerPcm).filter((r) => r > 300).length;
    const agentLoud = blockRms(agentPcm).filter((r) => r > 300).length;
    expect(callerLoud, 'caller-channel 20 ms blocks with speech').toBeGreaterThan(50);
    expect(agentLoud, 'agent-channel 20 ms blocks with speech').toBeGreaterThan(50);
    // G.711 is relayed untouched, so the caller channel is the caller's prompt sample for sample
    // (and not the PBX's), and the agent channel the PBX's.
    const callerPrompt = decodePcm(join(dir, `${CALLER_PROMPT}.wav`));
    const pbxPrompt = decodePcm(join(dir, `${PBX_PROMPT}.wav`));
    const callerMatch = windowsFoundIn(callerPcm, callerPrompt);
    expect(callerMatch.loud).toBeGreaterThan(20);
    expect(callerMatch.found / callerMatch.loud, 'caller channel = caller prompt').toBeGreaterThan(
      0.9,
    );
    expect(windowsFoundIn(callerPcm, pbxPrompt).found, 'caller channel ≠ PBX prompt').toBe(0);
    const agentMatch = windowsFoundIn(agentPcm, pbxPrompt);
    expect(agentMatch.loud).toBeGreaterThan(20);
    expect(agentMatch.found / agentMatch.loud, 'agent channel = PBX prompt').toBeGreaterThan(0.9);

    // The call path does not write consent records yet (issue 7 asks for them in the export):
    // seed one per caller, so the export shows it carries the subject's records and no others.
    const consentOf = (number: string, callId: string): ConsentRecord => ({
      number,
      at: new Date().toISOString(),
      callId,
      queue: 'care',
      policy: 'announce',
      outcome: 'accepted',
    });
    const subjectConsent = consentOf(SUBJECT, meta.callId);
    await hg.store.consent.append(subjectConsent);
    await hg.store.consent.append(consentOf(OTHER, 'other-call'));

    // --- Access request: tar.gz with recordings, metadata, consent and a manifest of hashes ---
    const exportRes = await api(hg, 'POST', `/subjects/${encodeURIComponent(SUBJECT)}/export`);
    expect(exportRes.status).toBe(200);
    expect(exportRes.headers.get('content-type')).toMatch(/^application\/gzip/);
    const members = await untar(Buffer.from(await exportRes.arrayBuffer()));
    expect([...members.keys()].sort()).toEqual(
      ['consent.json', 'manifest.json', `recordings/${audioFile}`, `recordings/${id}.json`].sort(),
    );
    const manifest = JSON.parse(members.get('manifest.json')!.toString('utf8')) as ExportManifest;
    expect(manifest.subject).toBe(SUBJECT);
    expect(manifest.recordings).toEqual([id]);
    // Every member but the manifest is listed, and every listed hash and size matches.
    expect(manifest.files.map((f) => f.path).sort()).toEqual(
      [...members.keys()].filter((n) => n !== 'manifest.json').sort(),
    );
    for (const f of manifest.files) {
      const member = members.get(f.path);
      expect(member, f.path).toBeDefined();
      expect(sha256(member!), f.path).toBe(f.sha256);
      expect(member!.length, f.path).toBe(f.bytes);
    }
    expect(members.get(`recordings/${audioFile}`)!.equals(onDisk)).toBe(true);
    const exportedMeta = JSON.parse(
      members.get(`recordings/${id}.json`)!.toString('utf8'),
    ) as Metadata;
    expect(exportedMeta.id).toBe(id);
    expect(exportedMeta.from).toContain(SUBJECT);
    expect(exportedMeta.audio!.sha256).toBe(meta.audio!.sha256);
    const exportedConsent = JSON.parse(
      members.get('consent.json')!.toString('utf8'),
    ) as ConsentRecord[];
    expect(exportedConsent).toContainEqual(subjectConsent);
    expect(exportedConsent.every((c) => c.number.includes(SUBJECT.slice(1)))).toBe(true);
    for (const [name, data] of members) {
      expect(data.toString('latin1'), `${name} mentions the other caller`).not.toContain(OTHER);
      expect(data.toString('latin1'), `${name} mentions the other call`).not.toContain(other!.id);
    }

    // --- Erasure with a signed receipt ---------------------------------------------------
    const { receipt, skipped } = await json<{ receipt: ErasureReceipt; skipped: string[] }>(
      hg,
      'POST',
      `/subjects/${encodeURIComponent(SUBJECT)}/erase`,
      201,
    );
    expect(skipped).toEqual([]);
    expect(receipt.subject).toBe(SUBJECT);
    expect(receipt.recordings.map((r) => r.id)).toEqual([id]);
    expect(receipt.recordings[0]!.audioSha256).toBe(meta.audio!.sha256);
    expect(receipt.recordings[0]!.callId).toBe(meta.callId);
    expect([...receipt.recordings[0]!.files].sort()).toEqual([audioFile, `${id}.json`].sort());
    // The key the API exposes in the receipt is the one holdgate keeps on disk, and it verifies
    // the signature; any edit to the receipt breaks it.
    const diskPublicKey = createPublicKey(
      createPrivateKey(readFileSync(defaultReceiptKeyFile(recordings), 'utf8')),
    ).export({ type: 'spki', format: 'pem' }) as string;
    expect(receipt.publicKey).toBe(diskPublicKey);
    expect(receiptSignatureValid(receipt, diskPublicKey)).toBe(true);
    expect(receiptSignatureValid({ ...receipt, recordings: [] }, diskPublicKey)).toBe(false);
    expect(receiptSignatureValid({ ...receipt, subject: OTHER }, diskPublicKey)).toBe(false);

    // Audio and metadata gone from disk; the other caller's recording untouched.
    expect(existsSync(join(recordings, audioFile))).toBe(false);
    expect(existsSync(join(recordings, `${id}.json`))).toBe(false);
    expect(readdirSync(recordings).filter((n) => n.includes(id))).toEqual([]);
    expect(existsSync(join(recordings, `${other!.id}.json`))).toBe(true);
    expect(existsSync(join(recordings, other!.audioFile!))).toBe(true);
    expect(await search(SUBJECT)).toEqual([]);
    expect((await search(OTHER)).map((e) => e.id)).toEqual([other!.id]);
    expect((await api(hg, 'GET', `/recordings/${id}`)).status).toBe(404);
    expect((await api(hg, 'GET', `/recordings/${id}/audio`)).status).toBe(404);
    const after = await untar(
      Buffer.from(
        await (
          await api(hg, 'POST', `/subjects/${encodeURIComponent(SUBJECT)}/export`)
        ).arrayBuffer(),
      ),
    );
    expect(
      (JSON.parse(after.get('manifest.json')!.toString('utf8')) as ExportManifest).recordings,
    ).toEqual([]);

    // --- Audit: download, export and erasure logged; the chain verifies and recomputes -------
    const audit = await json<{
      entries: AuditEntry[];
      verification: { ok: boolean; count: number };
    }>(hg, 'GET', '/audit');
    expect(audit.verification.ok).toBe(true);
    expect(audit.verification.count).toBe(audit.entries.length);
    const actions = audit.entries.map((e) => `${e.action} ${e.target}`);
    expect(actions).toContain(`recording.audio.read ${id}`);
    expect(audit.entries.filter((e) => e.action === 'subject.export')).toHaveLength(2);
    const erasure = audit.entries.filter((e) => e.action === 'subject.erase');
    expect(erasure).toHaveLength(1);
    expect(erasure[0]!.details).toMatchObject({ receipt: receipt.id, recordings: [id] });
    // The log itself holds no phone number.
    expect(JSON.stringify(audit.entries)).not.toContain(SUBJECT.slice(1));
    let prevHash = '0'.repeat(64);
    for (const e of audit.entries) {
      expect(e.prevHash, `entry ${e.seq} links to the one before`).toBe(prevHash);
      const { hash, ...body } = e;
      expect(sha256(Buffer.from(prevHash + canonicalJson(body))), `entry ${e.seq}`).toBe(hash);
      prevHash = hash;
    }

    // --- Later, after a restart: the receipt is still served and still verifies --------------
    for (const h of running.splice(0)) await h.close();
    hg = await start(recordings);
    const stored = await json<ErasureReceipt>(hg, 'GET', `/receipts/${receipt.id}`);
    expect(stored).toEqual(receipt);
    expect(receiptSignatureValid(stored, diskPublicKey)).toBe(true);
    expect(
      await json<{ id: string; ok: boolean }>(hg, 'POST', `/receipts/${receipt.id}/verify`),
    ).toEqual({ id: receipt.id, ok: true });
    expect(await search(SUBJECT)).toEqual([]);
    expect((await search(OTHER)).map((e) => e.id)).toEqual([other!.id]);
  }, 90_000);
});
