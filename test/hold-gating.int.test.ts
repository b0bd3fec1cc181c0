/**
 * Hold gating end to end (issue 4, Proof): the caller and the PBX stream G.711 RTP through
 * holdgate; the caller says "A" (440 Hz), is put on hold (each way SIP can say it), says
 * something private (1 kHz) while the PBX plays hold music (800 Hz), is taken off hold and says
 * "B" (440 Hz). The finalized recording is decoded with ffmpeg and checked: no 1 kHz and no hold
 * music anywhere in it, A and B present, and the hold interval in the metadata within ±40 ms of
 * when the PBX sent its hold and resume.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { callFixture } from './peers/call-fixture.js';
import { RtpPhone } from './peers/rtp-phone.js';
import { verifyRecording } from '../src/recorder/index.js';
import { parseSdp, remoteMediaTarget } from '../src/sdp/index.js';
import { blocksWithTone, decodeChannels, finishedRecording } from './peers/recording-checks.js';
import { establishCall, inDialogText, responseTo, sdp } from './peers/raw-sip-peer.js';

const HG_IP = '127.0.0.130';
const CALLER_IP = '127.0.0.131';
const PBX_IP = '127.0.0.132';

const fixture = callFixture({ caller: CALLER_IP, pbx: PBX_IP });

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

type Side = 'caller' | 'pbx';
interface HoldMethod {
  name: string;
  /** Who sends the hold: its cause in the metadata. */
  by: Side;
  kind: 'invite' | 'update' | 'offerless';
  /** SDP of the hold offer (or, offer-less, of the holding answer in the ACK). */
  direction: string;
  connectionHold?: boolean;
  pauseBehaviour: 'gap' | 'silence';
  /**
   * The caller's capture stalls this long early in the call and its timestamps then go on from
   * where they stopped, so all its later frames arrive that much after their timestamps say.
   */
  callerStallMs?: number;
}

const METHODS: HoldMethod[] = [
  {
    name: '(a) PBX re-INVITE a=sendonly',
    by: 'pbx',
    kind: 'invite',
    direction: 'sendonly',
    pauseBehaviour: 'gap',
  },
  {
    name: '(a) PBX re-INVITE a=sendonly',
    by: 'pbx',
    kind: 'invite',
    direction: 'sendonly',
    pauseBehaviour: 'silence',
  },
  {
    name: '(a) PBX re-INVITE a=sendonly, the caller’s capture stalled 700 ms before',
    by: 'pbx',
    kind: 'invite',
    direction: 'sendonly',
    pauseBehaviour: 'gap',
    callerStallMs: 700,
  },
  {
    name: '(b) PBX re-INVITE a=inactive',
    by: 'pbx',
    kind: 'invite',
    direction: 'inactive',
    pauseBehaviour: 'gap',
  },
  {
    name: '(c) caller re-INVITE a=sendonly',
    by: 'caller',
    kind: 'invite',
    direction: 'sendonly',
    pauseBehaviour: 'gap',
  },
  {
    name: '(d) PBX re-INVITE c=0.0.0.0',
    by: 'pbx',
    kind: 'invite',
    direction: 'sendrecv',
    connectionHold: true,
    pauseBehaviour: 'gap',
  },
  {
    name: '(e) PBX UPDATE a=sendonly',
    by: 'pbx',
    kind: 'update',
    direction: 'sendonly',
    pauseBehaviour: 'gap',
  },
  {
    name: '(f) PBX offer-less re-INVITE, hold in its ACK',
    by: 'pbx',
    kind: 'offerless',
    direction: 'inactive',
    pauseBehaviour: 'gap',
  },
];

const ANSWER_TO: Record<string, string> = {
  sendonly: 'recvonly',
  inactive: 'inactive',
  sendrecv: 'sendrecv',
  recvonly: 'sendonly',
};

describe('hold gating end to end', () => {
  for (const method of METHODS) {
    it(`keeps the caller’s words and the hold music out of the recording: ${method.name}, ${method.pauseBehaviour}`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'hg-rec-'));
      const { caller, pbx, callerRtp, pbxRtp } = await fixture.phones();
      const { to } = await fixture.start({
        sip: { listen: [{ protocol: 'udp', address: HG_IP, port: 0 }], t1Ms: 100 },
        media: { address: HG_IP, portMin: 43000, portMax: 43099, workers: 1 },
        recording: { dir, pauseBehaviour: method.pauseBehaviour, delaySeconds: 2.5 },
        acl: { trunks: [`${CALLER_IP}/32`] },
        queues: [
          { name: 'care', match: { requestUser: '.*' }, pbx: { host: PBX_IP, port: pbx.port } },
        ],
      });
      const t0 = Date.now();
      const established = await establishCall(caller, pbx, to, {
        host: HG_IP,
        user: '0201234567',
        callerSdp: sdp(CALLER_IP, callerRtp.address().port),
        pbxSdp: sdp(PBX_IP, pbxRtp.address().port),
      });
      const towardCaller = remoteMediaTarget(parseSdp(established.pbxInvite.body), 0);
      const towardPbx = remoteMediaTarget(parseSdp(established.ok.body), 0);
      const peers = { caller, pbx };
      const rtpPort = { caller: callerRtp.address().port, pbx: pbxRtp.address().port };
      const ip = { caller: CALLER_IP, pbx: PBX_IP };
      // Dialog headers of each side, as that side writes them (From = itself).
      const dialog = { caller: established.callerDialog, pbx: established.pbxDialog };
      const request = (side: Side, method: string, cseq: number, body = ''): string =>
        inDialogText(peers[side], method, dialog[side], cseq, to, { body });

      const callerTone = new RtpPhone(
        callerRtp,
        () => ({ address: HG_IP, port: towardPbx.rtpPort }),
        0xa1,
      );
      const agentTone = new RtpPhone(
        pbxRtp,
        () => ({ address: HG_IP, port: towardCaller.rtpPort }),
        0xb2,
      );
      fixture.closers.push(
        () => callerTone.stop(),
        () => agentTone.stop(),
      );
      callerTone.frequency = 440; // "A"
      agentTone.frequency = 600; // the agent speaking
      if (method.callerStallMs === undefined) {
        await sleep(1500);
      } else {
        // RFC 3550 §5.1: the caller's frames are now late against their timestamps for good.
        // holdgate must learn that lag before the hold (its window is 4–5 s), or it places the
        // caller's first private words before the hold began.
        await sleep(500);
        callerTone.stall(method.callerStallMs);
        await sleep(method.callerStallMs + 6000);
      }

      /** One offer/answer from `by`; returns when it is committed, with the moments that matter. */
      const exchange = async (
        cseq: number,
        direction: string,
        hold: boolean,
      ): Promise<{ sdpAt: number; committedAt: number }> => {
        const by = method.by;
        const other: Side = by === 'caller' ? 'pbx' : 'caller';
        const offerIp = method.connectionHold && hold ? '0.0.0.0' : ip[by];
        const offer = sdp(offerIp, rtpPort[by], direction);
        if (method.kind === 'offerless') {
          peers[by].send(request(by, 'INVITE', cseq), to);
          const relayed = await peers[other].request('INVITE');
          expect(relayed.body.length).toBe(0);
          peers[other].send(
            responseTo(relayed, 200, 'OK', { body: sdp(ip[other], rtpPort[other], 'sendrecv') }),
            to,
          );
          await peers[by].response(200, 'INVITE');
          const sdpAt = (Date.now() - t0) / 1000;
          peers[by].send(request(by, 'ACK', cseq, sdp(ip[by], rtpPort[by], direction)), to);
          const ackOnOtherLeg = await peers[other].request('ACK');
          expect(ackOnOtherLeg.body.toString()).toContain(`a=${direction}`);
          return { sdpAt, committedAt: sdpAt };
        }
        const m = method.kind === 'update' ? 'UPDATE' : 'INVITE';
        const sdpAt = (Date.now() - t0) / 1000;
        peers[by].send(request(by, m, cseq, offer), to);
        const relayed = await peers[other].request(m);
        expect(relayed.body.toString()).toContain(
          method.connectionHold && hold ? 'c=IN IP4 0.0.0.0' : `a=${direction}`,
        );
        peers[other].send(
          responseTo(relayed, 200, 'OK', {
            body: sdp(ip[other], rtpPort[other], ANSWER_TO[direction] ?? 'sendrecv'),
          }),
          to,
        );
        await peers[by].response(200, m);
        const committedAt = (Date.now() - t0) / 1000;
        if (m === 'INVITE') peers[by].send(request(by, 'ACK', cseq), to);
        return { sdpAt, committedAt };
      };

      const hold = await exchange(10, method.direction, true);
      await sleep(60);
      callerTone.frequency = 1000; // private words while waiting
      agentTone.frequency = 800; // hold music
      await sleep(1500);
      callerTone.frequency = 0;
      agentTone.frequency = 0;
      await sleep(60);
      const resume = await exchange(11, 'sendrecv', false);
      await sleep(60);
      callerTone.frequency = 440; // "B"
      agentTone.frequency = 600;
      await sleep(1500);
      callerTone.stop();
      agentTone.stop();
      caller.send(request('caller', 'BYE', 20), to);
      await caller.response(200, 'BYE');

      // The recording is finalized off the call path.
      const { meta, path: metaFile } = await finishedRecording(dir);
      expect(meta.pauseBehaviour).toBe(method.pauseBehaviour);
      expect(meta.from).toBe('0612345678');
      expect(meta.to).toBe('0201234567');
      const interval = meta.holdIntervals.find((h) => h.cause === `sdp-hold-${method.by}`);
      expect(interval, JSON.stringify(meta.holdIntervals)).toBeDefined();
      expect(
        Math.abs(interval!.start - hold.sdpAt),
        `hold start ${interval!.start} vs ${hold.sdpAt}`,
      ).toBeLessThanOrEqual(0.04);
      expect(
        Math.abs(interval!.end - resume.committedAt),
        `hold end ${interval!.end} vs ${resume.committedAt}`,
      ).toBeLessThanOrEqual(0.04);
      expect(await verifyRecording(metaFile)).toEqual({ ok: true });

      // Decode the audio and look at every 20 ms block of each channel.
      const { caller: left, agent: right } = decodeChannels(join(dir, meta.audio!.file));
      const a440 = blocksWithTone(left, 440, 0.5);
      const private1k = blocksWithTone(left, 1000, 0.05);
      const agent600 = blocksWithTone(right, 600, 0.5);
      const music800 = blocksWithTone(right, 800, 0.05);
      expect(private1k, 'blocks of the caller’s private 1 kHz in the recording').toBe(0);
      expect(music800, 'blocks of hold music in the recording').toBe(0);
      // A and B: at least 3 s of the caller's 440 Hz, the agent's 600 Hz likewise.
      expect(a440).toBeGreaterThan(120);
      expect(agent600).toBeGreaterThan(120);
      if (method.pauseBehaviour === 'silence') {
        // Silence keeps wall-clock alignment: the file spans the hold too.
        expect(left.length / 8000).toBeGreaterThan(4);
      }
    }, 60_000);
  }
});
