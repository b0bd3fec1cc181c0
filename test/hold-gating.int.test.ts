/**
 * Hold gating end to end (issue 4, Proof): the caller and the PBX stream G.711 RTP through
 * holdgate; the caller says "A" (440 Hz), goes on hold by the PBX's re-INVITE `a=sendonly`, says
 * something private (1 kHz) while the PBX plays hold music (800 Hz), is taken off hold and says
 * "B" (440 Hz). The finalized recording is decoded with ffmpeg and checked: no 1 kHz and no hold
 * music anywhere in it, A and B present, and the hold interval in the metadata within ±40 ms of
 * when the PBX sent its hold and resume.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { validateConfig } from '../src/config/load-config.js';
import { startHoldgate, type Holdgate } from '../src/main.js';
import { ulawEncode } from '../src/media/g711/index.js';
import { verifyRecording } from '../src/recorder/index.js';
import { parseSdp, remoteMediaTarget } from '../src/sdp/index.js';
import { silentLogger } from '../src/shared/logger.js';
import { RawSipPeer, responseTo, sdp, type PeerAddress } from './peers/raw-sip-peer.js';

const HG_IP = '127.0.0.130';
const CALLER_IP = '127.0.0.131';
const PBX_IP = '127.0.0.132';

let hg: Holdgate | undefined;
const closers: (() => void)[] = [];
afterEach(async () => {
  await hg?.close();
  hg = undefined;
  for (const c of closers.splice(0)) c();
});

/** Streams 20 ms µ-law frames of a tone (0 = silence) to a destination until stopped. */
class ToneSender {
  frequency = 0;
  #seq = 0;
  #phase = 0;
  readonly #packet = Buffer.alloc(172);
  readonly #timer: NodeJS.Timeout;
  constructor(
    socket: Socket,
    to: () => { address: string; port: number } | undefined,
    ssrc: number,
  ) {
    this.#packet[0] = 0x80;
    this.#packet.writeUInt32BE(ssrc, 8);
    this.#timer = setInterval(() => {
      const dest = to();
      if (!dest) return;
      this.#packet.writeUInt16BE(this.#seq & 0xffff, 2);
      this.#packet.writeUInt32BE((this.#seq * 160) >>> 0, 4);
      this.#seq++;
      for (let i = 0; i < 160; i++) {
        const s = this.frequency === 0 ? 0 : Math.round(8000 * Math.sin(this.#phase));
        this.#phase += (2 * Math.PI * this.frequency) / 8000;
        this.#packet[12 + i] = ulawEncode(s);
      }
      socket.send(this.#packet, dest.port, dest.address);
    }, 20);
  }
  stop(): void {
    clearInterval(this.#timer);
  }
}

/** Goertzel power of one frequency in a block, relative to the block's total power. */
function toneShare(samples: Int16Array, from: number, n: number, freq: number): number {
  const k = 2 * Math.cos((2 * Math.PI * freq) / 8000);
  let s1 = 0;
  let s2 = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const x = samples[from + i]!;
    total += x * x;
    const s0 = x + k * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  if (total === 0) return 0;
  const power = s1 * s1 + s2 * s2 - k * s1 * s2;
  return power / (total * n * 0.5);
}

async function udp(address: string): Promise<Socket> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, address, () => resolve()));
  closers.push(() => socket.close());
  return socket;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('hold gating end to end', () => {
  for (const pauseBehaviour of ['gap', 'silence'] as const) {
    it(`keeps the caller’s words and the hold music out of the recording (${pauseBehaviour})`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'hg-rec-'));
      const caller = await RawSipPeer.udp(CALLER_IP);
      const pbx = await RawSipPeer.udp(PBX_IP);
      closers.push(
        () => caller.close(),
        () => pbx.close(),
      );
      const callerRtp = await udp(CALLER_IP);
      const pbxRtp = await udp(PBX_IP);
      hg = await startHoldgate(
        validateConfig({
          sip: { listen: [{ protocol: 'udp', address: HG_IP, port: 0 }], t1Ms: 100 },
          media: { address: HG_IP, portMin: 43000, portMax: 43099, workers: 1 },
          recording: { dir, pauseBehaviour, delaySeconds: 2.5 },
          acl: { trunks: [`${CALLER_IP}/32`] },
          queues: [
            { name: 'care', match: { requestUser: '.*' }, pbx: { host: PBX_IP, port: pbx.port } },
          ],
        }),
        { logger: silentLogger() },
      );
      const to: PeerAddress = { address: HG_IP, port: hg.localEndpoints()[0]!.port };
      const t0 = Date.now();
      caller.send(
        `INVITE sip:0201234567@${HG_IP} SIP/2.0
Via: SIP/2.0/UDP ${caller.hostport};branch=z9hG4bK${randomBytes(8).toString('hex')};rport
Max-Forwards: 70
From: <sip:0612345678@${CALLER_IP}>;tag=c1
To: <sip:0201234567@${HG_IP}>
Call-ID: ${randomBytes(8).toString('hex')}
CSeq: 1 INVITE
Contact: <sip:caller@${caller.hostport}>
Content-Type: application/sdp

${sdp(CALLER_IP, callerRtp.address().port)}`,
        to,
      );
      const invite = await pbx.request('INVITE');
      const towardCaller = remoteMediaTarget(parseSdp(invite.body), 0);
      pbx.send(
        responseTo(invite, 200, 'OK', {
          toTag: 'p1',
          extra: `Contact: <sip:agent@${pbx.hostport}>`,
          body: sdp(PBX_IP, pbxRtp.address().port),
        }),
        to,
      );
      const ok = await caller.response(200, 'INVITE');
      const towardPbx = remoteMediaTarget(parseSdp(ok.body), 0);
      const callerDialog = {
        from: ok.get('from') ?? '',
        to: ok.get('to') ?? '',
        callId: ok.get('call-id') ?? '',
      };
      const inDialog = (
        method: string,
        cseq: number,
      ): string => `${method} sip:holdgate@${HG_IP}:${to.port} SIP/2.0
Via: SIP/2.0/UDP ${caller.hostport};branch=z9hG4bK${randomBytes(8).toString('hex')}
Max-Forwards: 70
From: ${callerDialog.from}
To: ${callerDialog.to}
Call-ID: ${callerDialog.callId}
CSeq: ${cseq} ${method}
`;
      caller.send(inDialog('ACK', 1), to);
      const pbxAck = await pbx.request('ACK');
      const callerTone = new ToneSender(
        callerRtp,
        () => ({ address: HG_IP, port: towardPbx.rtpPort }),
        0xa1,
      );
      const agentTone = new ToneSender(
        pbxRtp,
        () => ({ address: HG_IP, port: towardCaller.rtpPort }),
        0xb2,
      );
      closers.push(
        () => callerTone.stop(),
        () => agentTone.stop(),
      );
      callerTone.frequency = 440; // "A"
      agentTone.frequency = 600; // the agent speaking
      await sleep(1500);

      const pbxReInvite = (
        cseq: number,
        direction: string,
      ): string => `INVITE sip:holdgate@${HG_IP}:${to.port} SIP/2.0
Via: SIP/2.0/UDP ${pbx.hostport};branch=z9hG4bK${randomBytes(8).toString('hex')}
Max-Forwards: 70
From: ${pbxAck.get('to') ?? ''}
To: ${pbxAck.get('from') ?? ''}
Call-ID: ${pbxAck.get('call-id') ?? ''}
CSeq: ${cseq} INVITE
Contact: <sip:agent@${pbx.hostport}>
Content-Type: application/sdp

${sdp(PBX_IP, pbxRtp.address().port, direction)}`;
      const pbxAckFor = (
        res: { get(n: string): string | undefined },
        cseq: number,
      ): string => `ACK sip:holdgate@${HG_IP}:${to.port} SIP/2.0
Via: SIP/2.0/UDP ${pbx.hostport};branch=z9hG4bK${randomBytes(8).toString('hex')}
Max-Forwards: 70
From: ${res.get('from') ?? ''}
To: ${res.get('to') ?? ''}
Call-ID: ${res.get('call-id') ?? ''}
CSeq: ${cseq} ACK
`;
      // Hold, the way Asterisk does it with moh_passthrough=yes: re-INVITE a=sendonly.
      const holdAt = (Date.now() - t0) / 1000;
      pbx.send(pbxReInvite(10, 'sendonly'), to);
      await sleep(60);
      callerTone.frequency = 1000; // private words while waiting
      agentTone.frequency = 800; // hold music
      const callerHold = await caller.request('INVITE');
      expect(callerHold.body.toString()).toContain('a=sendonly');
      caller.send(
        responseTo(callerHold, 200, 'OK', {
          body: sdp(CALLER_IP, callerRtp.address().port, 'recvonly'),
        }),
        to,
      );
      const held = await pbx.response(200, 'INVITE');
      pbx.send(pbxAckFor(held, 10), to);
      await sleep(1500);

      // Resume: counts only once committed (the PBX's ACK).
      callerTone.frequency = 0;
      agentTone.frequency = 0;
      await sleep(60);
      pbx.send(pbxReInvite(11, 'sendrecv'), to);
      const callerResume = await caller.request('INVITE');
      caller.send(
        responseTo(callerResume, 200, 'OK', {
          body: sdp(CALLER_IP, callerRtp.address().port, 'sendrecv'),
        }),
        to,
      );
      const resumed = await pbx.response(200, 'INVITE');
      pbx.send(pbxAckFor(resumed, 11), to);
      const resumeAt = (Date.now() - t0) / 1000;
      await sleep(60);
      callerTone.frequency = 440; // "B"
      agentTone.frequency = 600;
      await sleep(1500);
      callerTone.stop();
      agentTone.stop();
      caller.send(inDialog('BYE', 2), to);
      await caller.response(200, 'BYE');

      // The recording is finalized off the call path.
      const metaFile = await expect
        .poll(
          () => {
            const f = readdirSync(dir).find((n) => n.endsWith('.json'));
            if (!f) return undefined;
            const m = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { status: string };
            return m.status === 'complete' ? join(dir, f) : undefined;
          },
          { timeout: 15_000 },
        )
        .toBeDefined()
        .then(() =>
          join(
            dir,
            readdirSync(dir).find((n) => n.endsWith('.json'))!,
          ),
        );
      const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as {
        audio: { file: string };
        holdIntervals: { start: number; end: number; cause: string }[];
        pauseBehaviour: string;
        from: string;
        to: string;
      };
      expect(meta.pauseBehaviour).toBe(pauseBehaviour);
      expect(meta.from).toBe('0612345678');
      expect(meta.to).toBe('0201234567');
      const hold = meta.holdIntervals.find((h) => h.cause === 'sdp-hold-pbx');
      expect(hold, JSON.stringify(meta.holdIntervals)).toBeDefined();
      expect(Math.abs(hold!.start - holdAt)).toBeLessThanOrEqual(0.04);
      expect(Math.abs(hold!.end - resumeAt)).toBeLessThanOrEqual(0.04);
      expect(await verifyRecording(metaFile)).toEqual({ ok: true });

      // Decode the audio and look at every 20 ms block of each channel.
      const pcm = execFileSync(
        'ffmpeg',
        [
          '-v',
          'error',
          '-i',
          join(dir, meta.audio.file),
          '-f',
          's16le',
          '-ac',
          '2',
          '-ar',
          '8000',
          '-',
        ],
        { maxBuffer: 64 << 20 },
      );
      const stereo = new Int16Array(pcm.buffer, pcm.byteOffset, pcm.length / 2);
      const left = new Int16Array(stereo.length / 2);
      const right = new Int16Array(stereo.length / 2);
      for (let i = 0; i < left.length; i++) {
        left[i] = stereo[2 * i]!;
        right[i] = stereo[2 * i + 1]!;
      }
      let a440 = 0;
      let private1k = 0;
      let agent600 = 0;
      let music800 = 0;
      for (let off = 0; off + 160 <= left.length; off += 160) {
        if (toneShare(left, off, 160, 440) > 0.5) a440++;
        if (toneShare(left, off, 160, 1000) > 0.05) private1k++;
        if (toneShare(right, off, 160, 600) > 0.5) agent600++;
        if (toneShare(right, off, 160, 800) > 0.05) music800++;
      }
      expect(private1k, 'blocks of the caller’s private 1 kHz in the recording').toBe(0);
      expect(music800, 'blocks of hold music in the recording').toBe(0);
      // A and B: about 3 s of the caller's 440 Hz, the agent's 600 Hz likewise.
      expect(a440).toBeGreaterThan(120);
      expect(agent600).toBeGreaterThan(120);
      if (pauseBehaviour === 'silence') {
        // Silence keeps wall-clock alignment: the file spans the hold too.
        expect(left.length / 8000).toBeGreaterThan(4);
      }
    }, 60_000);
  }
});
