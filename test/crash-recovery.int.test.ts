/**
 * A crash mid-call (issue 4, Proof): holdgate is killed with SIGKILL while it records; on the next
 * start the spool it left is finalized as `incomplete`, and `holdgate verify` passes on it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { parseSdp, remoteMediaTarget } from '../src/sdp/index.js';
import { makePhones } from './peers/call-fixture.js';
import { writeRtpHeader } from '../src/media/rtp/index.js';
import { spawnHoldgate, type HoldgateProcess } from './peers/holdgate-process.js';
import { establishCall, sdp } from './peers/raw-sip-peer.js';

const HG = { address: '127.0.0.140', port: 15140 };
const CALLER_IP = '127.0.0.141';
const PBX_IP = '127.0.0.142';
const ROOT = fileURLToPath(new URL('../', import.meta.url));

let procs: HoldgateProcess[] = [];
const closers: (() => void)[] = [];
afterEach(() => {
  for (const p of procs) p.kill('SIGKILL');
  procs = [];
  for (const c of closers.splice(0)) c();
});

function config(dir: string, pbxPort: number): string {
  return `
sip: { listen: [{ protocol: udp, address: ${HG.address}, port: ${HG.port} }] }
media: { address: ${HG.address}, portMin: 44000, portMax: 44099, workers: 1 }
recording: { dir: ${dir}, delaySeconds: 0.5 }
acl: { trunks: [${CALLER_IP}/32] }
queues: [{ name: q, match: { requestUser: '.*' }, pbx: { host: ${PBX_IP}, port: ${pbxPort} } }]
log: { level: info }
`;
}

describe('crash recovery', () => {
  it('finalizes the spool of a killed holdgate as incomplete, and verify passes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hg-crash-'));
    const { caller, pbx, callerRtp, pbxRtp } = await makePhones(
      { caller: CALLER_IP, pbx: PBX_IP },
      closers,
    );
    const first = spawnHoldgate(config(dir, pbx.port));
    procs.push(first);
    await first.waitForLog(/holdgate started/);
    const { ok, pbxInvite } = await establishCall(caller, pbx, HG, {
      host: HG.address,
      callerSdp: sdp(CALLER_IP, callerRtp.address().port),
      pbxSdp: sdp(PBX_IP, pbxRtp.address().port),
      timeoutMs: 10_000,
    });
    const towardCaller = remoteMediaTarget(parseSdp(pbxInvite.body), 0);
    const towardPbx = remoteMediaTarget(parseSdp(ok.body), 0);
    // 3 s of audio both ways, then the crash.
    const packet = Buffer.alloc(172, 0x55);
    for (let i = 0; i < 150; i++) {
      writeRtpHeader(packet, { payloadType: 0, sequence: i, timestamp: i * 160, ssrc: 0x55555555 });
      callerRtp.send(packet, towardPbx.rtpPort, HG.address);
      pbxRtp.send(packet, towardCaller.rtpPort, HG.address);
      await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise((r) => setTimeout(r, 1200)); // past the spool's 1 s fsync cadence
    first.kill('SIGKILL');
    expect(await first.exited).toBeNull();
    expect(readdirSync(dir).some((f) => f.endsWith('.spool'))).toBe(true);

    const second = spawnHoldgate(config(dir, pbx.port));
    procs.push(second);
    await second.waitForLog(/recording spools checked/);
    const metaFile = join(
      dir,
      readdirSync(dir).find((f) => f.endsWith('.json'))!,
    );
    const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as {
      status: string;
      audio: { file: string } | null;
      frames: { caller: number };
    };
    expect(meta.status).toBe('incomplete');
    expect(meta.audio).not.toBeNull();
    expect(meta.frames.caller).toBeGreaterThan(50); // most of the 3 s survived the crash
    const verify = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'test/peers/run-cli.ts'), 'verify', metaFile],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(verify.status, verify.stderr).toBe(0);
    expect(verify.stdout).toContain('intact');
    // One flipped byte of audio and verify says so, with exit 1.
    const audio = join(dir, meta.audio!.file);
    const bytes = readFileSync(audio);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 0xff, bytes.length - 1);
    writeFileSync(audio, bytes);
    const tampered = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'test/peers/run-cli.ts'), 'verify', metaFile],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(tampered.status).toBe(1);
    expect(tampered.stderr).toMatch(/NOT intact/);
  }, 60_000);
});
