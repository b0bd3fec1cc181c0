/**
 * Hold heard, not signalled (issue 5, Proof): the PBX puts the caller on hold the way Asterisk
 * does by default (`moh_passthrough=no`, field notes): no re-INVITE, no UPDATE; its hold music
 * simply starts in the same RTP stream (same SSRC, no marker, continuous sequence numbers, one
 * ~34 ms gap). The caller keeps talking (a 1 kHz tone standing for private words). The finalized
 * recording must hold none of the music and none of the caller's tone sent during it.
 * A third call ends the music the way Asterisk bridges a queue's caller to the agent who answers:
 * the agent's audio comes from a new SSRC with the marker bit set and its own timestamp base. That
 * is a new source, and the recording resumes there, not `announcementSeconds` later.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { callFixture } from './peers/call-fixture.js';
import { CallerTone, mulaw } from './peers/loopback-audio.js';
import { ONSET_LEAD_MS } from '../src/detect/known-music/index.js';
import { writeRtpHeader } from '../src/media/rtp/index.js';
import { parseSdp, remoteMediaTarget } from '../src/sdp/index.js';
import {
  blocksWithTone,
  decodeChannels,
  finishedRecording,
  meanAbs,
  musicMatchAt,
} from './peers/recording-checks.js';
import { establishCall, inDialogText, sdp } from './peers/raw-sip-peer.js';

const HG_IP = '127.0.0.150';
const CALLER_IP = '127.0.0.151';
const PBX_IP = '127.0.0.152';
const MOH = '/usr/share/asterisk/moh/macroform-cold_day.wav';
const SPEECH = '/usr/share/asterisk/sounds/en_US_f_Allison';

const fixture = callFixture({ caller: CALLER_IP, pbx: PBX_IP });

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('music on hold without signalling', () => {
  it.each([
    { classifier: false, newSource: false },
    { classifier: true, newSource: false },
    { classifier: true, newSource: true },
  ])(
    'cuts the PBX’s own hold music and the caller’s words under it out of the recording (classifier: $classifier, agent on a new SSRC: $newSource)',
    async ({ classifier, newSource }) => {
      const dir = mkdtempSync(join(tmpdir(), 'hg-moh-'));
      const { caller, pbx, callerRtp, pbxRtp } = await fixture.phones();
      const { to } = await fixture.start({
        sip: { listen: [{ protocol: 'udp', address: HG_IP, port: 0 }], t1Ms: 100 },
        media: { address: HG_IP, portMin: 45000, portMax: 45099, workers: 1 },
        recording: { dir, delaySeconds: 2.5 },
        detection: { knownMusic: [MOH], classifier },
        acl: { trunks: [`${CALLER_IP}/32`] },
        queues: [
          { name: 'care', match: { requestUser: '.*' }, pbx: { host: PBX_IP, port: pbx.port } },
        ],
      });
      const { ok, pbxInvite, callerDialog } = await establishCall(caller, pbx, to, {
        host: HG_IP,
        callerSdp: sdp(CALLER_IP, callerRtp.address().port),
        pbxSdp: sdp(PBX_IP, pbxRtp.address().port),
      });
      const towardCaller = remoteMediaTarget(parseSdp(pbxInvite.body), 0).rtpPort;
      const towardPbx = remoteMediaTarget(parseSdp(ok.body), 0).rtpPort;

      // What the PBX sends: the agent (speech), then hold music from the middle of the track, then
      // the agent again, all in one stream.
      const agentBefore = Buffer.concat(
        ['agent-loginok', 'call-forwarding', 'auth-thankyou'].map((n) =>
          mulaw(['-i', join(SPEECH, `${n}.wav`)]),
        ),
      ).subarray(0, 8000 * 3);
      const music = mulaw(['-ss', '40', '-t', '7', '-i', MOH]);
      // Known music lets go 10 s after its end (`detection.announcementSeconds`: a queue
      // announcement between music is still hold), the classifier after some 7 s of the agent's
      // voice with no music under it (bench moh: agent speech lost per release): the agent talks
      // on after both.
      const afterPrompts = ['agent-newlocation', 'activated', 'added', 'agent-loginok'];
      const agentAfter = Buffer.concat(
        [...afterPrompts, ...afterPrompts, ...afterPrompts, ...afterPrompts].map((n) =>
          mulaw(['-i', join(SPEECH, `${n}.wav`)]),
        ),
      ).subarray(0, 8000 * 14);
      const pbxStream = Buffer.concat([agentBefore, music, agentAfter]);
      const musicStartFrame = agentBefore.length / 160;
      const musicEndFrame = musicStartFrame + music.length / 160;

      const tone = new CallerTone();
      const frames = pbxStream.length / 160;
      // Wall-clock ms here; turned into call time (seconds since holdgate took the INVITE,
      // `meta.startedAt`) once the recording is finished.
      const firstFrameWallMs = Date.now();
      // An agent on a new source has no timeline in common with the old one: holdgate places its
      // first frame at its arrival.
      let bridgedWallMs = 0;
      const started = performance.now();
      for (let f = 0; f < frames; f++) {
        // Pace on the clock, not on timer drift.
        const due = started + f * 20 + (f >= musicStartFrame ? 34 : 0);
        const wait = due - performance.now();
        if (wait > 1) await sleep(wait);
        if (f === musicEndFrame) bridgedWallMs = Date.now();
        const bridged = newSource && f >= musicEndFrame;
        // A buffer per packet: a socket sends a Buffer some time after send() returns, so frames
        // sent in one burst from one reused buffer would all go out as the last of them.
        const packet = Buffer.alloc(172);
        const callerPacket = Buffer.alloc(172);
        writeRtpHeader(packet, {
          payloadType: 0,
          sequence: f,
          timestamp: (bridged ? 0x7000_0000 : 0) + f * 160,
          ssrc: bridged ? 0x0a6e7 : 0x5eed,
          marker: bridged && f === musicEndFrame,
        });
        pbxStream.copy(packet, 12, f * 160, f * 160 + 160);
        pbxRtp.send(packet, towardCaller, HG_IP);
        const onHold = f >= musicStartFrame && f < musicEndFrame;
        writeRtpHeader(callerPacket, {
          payloadType: 0,
          sequence: f,
          timestamp: f * 160,
          ssrc: 0xca11,
        });
        tone.fill(callerPacket, onHold ? 1000 : 440);
        callerRtp.send(callerPacket, towardPbx, HG_IP);
      }
      caller.send(inDialogText(caller, 'BYE', callerDialog, 2, to), to);
      await caller.response(200, 'BYE');

      const { meta } = await finishedRecording(dir);
      const callZeroMs = Date.parse(meta.startedAt);
      const firstFrameAt = (firstFrameWallMs - callZeroMs) / 1000;
      // Where the music lies on the stream's own timeline, as holdgate places what it hears: a
      // frame at the sampling instant its timestamp gives (RFC 3550 §5.1), f × 20 ms after the
      // first. Not when a frame is sent: a stall of this test's event loop delays the sends (the
      // frames owed then go out in a burst), not the music in the stream.
      const musicStartedAt = firstFrameAt + musicStartFrame * 0.02;
      const musicEndedAt = firstFrameAt + musicEndFrame * 0.02;
      const bridgedAt = (bridgedWallMs - callZeroMs) / 1000;
      const hold = meta.holdIntervals.find((h) => h.cause === 'music-on-hold');
      expect(hold, JSON.stringify(meta.holdIntervals)).toBeDefined();
      // The cut starts at the music's onset (the detector needs time; the delay line covers it).
      // Known music places the onset ONSET_LEAD_MS before its first matching frame, and that
      // frame starts some 50–180 ms into the music: early by up to the lead, on purpose (it
      // leaks nothing), late by none. 50 ms on either side for `startedAt`'s whole milliseconds
      // and the sends' scheduling.
      const onsetError = hold!.start - musicStartedAt;
      const onsetMessage = `hold starts ${hold!.start}, music started ${musicStartedAt}`;
      expect(onsetError, onsetMessage).toBeGreaterThan(-ONSET_LEAD_MS / 1000 - 0.05);
      expect(onsetError, onsetMessage).toBeLessThan(0.05);
      expect(hold!.end, JSON.stringify(meta.holdIntervals)).toBeGreaterThanOrEqual(
        musicEndedAt - 0.1,
      );
      // The agent on a new source ends the hold at once; otherwise the detectors hold on for an
      // announcement (announcementSeconds, 10 s) after the music.
      if (newSource) expect(hold!.end - bridgedAt).toBeLessThan(0.3);
      else expect(hold!.end - musicEndedAt).toBeGreaterThan(9);

      const { caller: left, agent: right } = decodeChannels(join(dir, meta.audio!.file));
      const private1k = blocksWithTone(left, 1000, 0.05);
      const spoken440 = blocksWithTone(left, 440, 0.5);
      expect(private1k, 'blocks of the caller’s words under the hold music').toBe(0);
      expect(spoken440, 'the caller before and after the hold').toBeGreaterThan(
        newSource ? 700 : 200,
      );
      // None of the hold music: a fresh detector over the agent channel finds no match.
      expect(musicMatchAt(right, MOH), 'hold music found in the recording').toBeUndefined();
      // The agent is there, before and after.
      expect(meanAbs(right)).toBeGreaterThan(100);
    },
    60_000,
  );
});
