/**
 * The privacy officer's tools on a real call (issue 7, Proof): a call through holdgate is
 * recorded; over the admin HTTP API the recording is found by number, downloaded, exported as an
 * access request and erased with a signed receipt; the audit chain holds every step. Two
 * instances sharing Redis see each other's queue changes.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { validateConfig } from '../src/config/load-config.js';
import { startHoldgate, type Holdgate } from '../src/main.js';
import { silentLogger } from '../src/shared/logger.js';
import { makePhones } from './peers/call-fixture.js';
import { writeRtpHeader } from '../src/media/rtp/index.js';
import { finishedRecording } from './peers/recording-checks.js';
import {
  establishCall,
  inDialogText,
  RawSipPeer,
  sdp,
  type PeerAddress,
} from './peers/raw-sip-peer.js';

const HG_IP = '127.0.0.180';
const CALLER_IP = '127.0.0.181';
const PBX_IP = '127.0.0.182';
const KEY = randomBytes(24).toString('hex'); // 48 characters

const running: Holdgate[] = [];
const closers: (() => void)[] = [];
afterEach(async () => {
  for (const h of running.splice(0)) await h.close();
  for (const c of closers.splice(0)) c();
});

async function start(
  dir: string,
  pbxPort: number,
  env: Record<string, string> = {},
  portMin = 48000,
): Promise<Holdgate> {
  const hg = await startHoldgate(
    validateConfig({
      sip: { listen: [{ protocol: 'udp', address: HG_IP, port: 0 }], t1Ms: 100 },
      media: { address: HG_IP, portMin, portMax: portMin + 199, workers: 1 },
      recording: { dir, delaySeconds: 0 },
      admin: { enabled: true, address: HG_IP, port: 0 },
      acl: { trunks: [`${CALLER_IP}/32`] },
      queues: [
        { name: 'care', match: { requestUser: '1000' }, pbx: { host: PBX_IP, port: pbxPort } },
      ],
    }),
    { logger: silentLogger(), env: { HOLDGATE_ADMIN_KEY: KEY, ...env } },
  );
  running.push(hg);
  return hg;
}

async function api(hg: Holdgate, method: string, path: string, body?: unknown): Promise<Response> {
  const a = hg.adminAddress()!;
  return fetch(`http://${a.address}:${a.port}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${KEY}`,
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
}

describe('admin API on real recordings', () => {
  it('finds, downloads, exports and erases a caller’s recording, with a signed receipt and an intact audit chain', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hg-admin-'));
    const { caller, pbx, callerRtp, pbxRtp } = await makePhones(
      { caller: CALLER_IP, pbx: PBX_IP },
      closers,
    );
    const hg = await start(dir, pbx.port);
    const to: PeerAddress = { address: HG_IP, port: hg.localEndpoints()[0]!.port };
    const { ok, pbxInvite, callerDialog } = await establishCall(caller, pbx, to, {
      host: HG_IP,
      callerSdp: sdp(CALLER_IP, callerRtp.address().port),
      pbxSdp: sdp(PBX_IP, pbxRtp.address().port),
    });
    const packet = Buffer.alloc(172, 0x2a);
    const toPbx = Number(/m=audio (\d+)/.exec(ok.body.toString())![1]);
    const toCaller = Number(/m=audio (\d+)/.exec(pbxInvite.body.toString())![1]);
    for (let i = 0; i < 50; i++) {
      writeRtpHeader(packet, { payloadType: 0, sequence: i, timestamp: i * 160, ssrc: 0x2a2a2a2a });
      callerRtp.send(packet, toPbx, HG_IP);
      pbxRtp.send(packet, toCaller, HG_IP);
      await new Promise((r) => setTimeout(r, 20));
    }
    caller.send(inDialogText(caller, 'BYE', callerDialog, 2, to), to);
    await caller.response(200, 'BYE');
    const { meta, path } = await finishedRecording(dir);

    // Unauthenticated requests are refused; health is open.
    const a = hg.adminAddress()!;
    expect((await fetch(`http://${a.address}:${a.port}/recordings`)).status).toBe(401);
    expect((await fetch(`http://${a.address}:${a.port}/health`)).status).toBe(200);

    // Metrics: the finished recording and the call seconds kept out of it (the gate starts paused
    // until the first offer/answer is committed).
    // The metadata file reaches `complete` just before the recording's close() resolves and the
    // counter is bumped: poll rather than race it.
    let metrics = '';
    await expect
      .poll(async () => (metrics = await (await api(hg, 'GET', '/metrics')).text()))
      .toMatch(/holdgate_recordings_finished_total\{status="complete"\} 1/);
    expect(metrics).toMatch(/holdgate_paused_seconds_total\{cause="unknown"\} \d/);
    expect(metrics).toMatch(/holdgate_rtp_packets_total\{direction="caller-to-pbx"\} 50\b/);
    expect(metrics).toMatch(/holdgate_rtp_lost_packets_total\{direction="pbx-to-caller"\} 0\b/);

    // Search by the caller's number, download the audio.
    const id = meta.id;
    await expect
      .poll(async () =>
        (
          (await (await api(hg, 'GET', '/recordings?number=0612345678')).json()) as { id: string }[]
        ).map((r) => r.id),
      )
      .toEqual([id]);
    const audio = await api(hg, 'GET', `/recordings/${id}/audio`);
    expect(audio.status).toBe(200);
    expect((await audio.arrayBuffer()).byteLength).toBe(meta.audio!.bytes);

    // Access request: an archive with the recording, its metadata and a manifest of hashes.
    const exported = await api(hg, 'POST', '/subjects/0612345678/export');
    expect(exported.status).toBe(200);
    const tar = gunzipSync(Buffer.from(await exported.arrayBuffer())).toString('latin1');
    expect(tar).toContain('manifest.json');
    expect(tar).toContain(meta.audio!.file);

    // Erasure: files gone, receipt signed and retrievable.
    const erased = await api(hg, 'POST', '/subjects/0612345678/erase');
    expect(erased.status).toBe(201);
    const { receipt } = (await erased.json()) as { receipt: { id: string } };
    expect(existsSync(path)).toBe(false);
    expect(existsSync(join(dir, meta.audio!.file))).toBe(false);
    const verified = (await (await api(hg, 'POST', `/receipts/${receipt.id}/verify`)).json()) as {
      ok?: boolean;
      valid?: boolean;
    };
    expect(verified.ok ?? verified.valid).toBe(true);

    // The audit log holds the download, the export and the erasure, and its chain verifies.
    const audit = (await (await api(hg, 'GET', '/audit')).json()) as {
      entries: { action: string }[];
      verification: { ok: boolean };
    };
    const actions = audit.entries.map((e) => e.action).join(' ');
    expect(actions).toMatch(/audio/);
    expect(actions).toMatch(/export/);
    expect(actions).toMatch(/eras/);
    expect(audit.verification.ok).toBe(true);
  }, 60_000);

  it('shares queues and live calls between two instances over Redis', async () => {
    const prefix = `hg-test-${randomBytes(4).toString('hex')}:`;
    const env = { REDIS_URL: 'redis://127.0.0.1:6379', HOLDGATE_REDIS_PREFIX: prefix };
    const caller = await RawSipPeer.udp(CALLER_IP);
    const pbx = await RawSipPeer.udp(PBX_IP);
    closers.push(
      () => caller.close(),
      () => pbx.close(),
    );
    const one = await start(mkdtempSync(join(tmpdir(), 'hg-r1-')), pbx.port, env, 48000);
    const two = await start(mkdtempSync(join(tmpdir(), 'hg-r2-')), pbx.port, env, 48400);
    const created = await api(one, 'POST', '/queues', {
      name: 'vip',
      match: { requestUser: '2000' },
      pbx: { host: PBX_IP, port: 5060, transport: 'udp' },
    });
    expect(created.status).toBe(201);
    await expect
      .poll(
        async () =>
          ((await (await api(two, 'GET', '/queues')).json()) as { name: string }[]).map(
            (q) => q.name,
          ),
        { timeout: 5000 },
      )
      .toEqual(['care', 'vip']);
    // ...and instance two routes a call for 2000 to the new queue without a restart.
    await expect.poll(() => two.b2bua.queueNames(), { timeout: 5000 }).toEqual(['care', 'vip']);

    // A call on instance one is listed and paused through instance two's API.
    const to: PeerAddress = { address: HG_IP, port: one.localEndpoints()[0]!.port };
    await establishCall(caller, pbx, to, { host: HG_IP });
    const [local] = one.callControl.list();
    expect(local).toBeDefined();
    await expect
      .poll(
        async () =>
          ((await (await api(two, 'GET', '/calls')).json()) as { id: string }[]).map((c) => c.id),
        { timeout: 6000 },
      )
      .toContain(local!.id);
    expect(
      (await api(two, 'POST', `/calls/${local!.id}/pause`, { reason: 'supervisor asked' })).status,
    ).toBeLessThan(300);
    await expect
      .poll(() => one.callControl.get(local!.id)?.pauseCauses, { timeout: 5000 })
      .toContain('api');

    // Both instances' audit entries land in one chain.
    const audit = (await (await api(two, 'GET', '/audit')).json()) as {
      entries: { action: string }[];
      verification: { ok: boolean };
    };
    expect(audit.entries.some((e) => /queue/.test(e.action))).toBe(true);
    expect(audit.verification.ok).toBe(true);
  }, 30_000);
});
