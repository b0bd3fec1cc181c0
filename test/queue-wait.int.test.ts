/**
 * The queue's wait is hold too (issue 5, Why), kept out by the SSRC instead of the audio
 * (`detection.queueWait: until-new-source`). The PBX answers and plays its queue wait the way
 * Asterisk's Queue() does (field notes): one SSRC from the answer on, and the agent who answers on a
 * new SSRC with the marker bit set and its own timestamp base. What it plays in the wait is a
 * voice over music, the class the classifier misses most on audio it has never heard; no detector
 * runs here, so only the source change can end the pause. The caller's 1 kHz tone during the wait
 * stands for private words, 440 Hz after it for the conversation with the agent.
 * A second call is a PBX that bridges the agent on the same SSRC: such a queue records nothing of
 * the call, and says so (one `queue-wait` pause to the call's end).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { callFixture } from './peers/call-fixture.js';
import { CallerTone, mulaw } from './peers/loopback-audio.js';
import { writeRtpHeader } from '../src/media/rtp/index.js';
import { parseSdp, remoteMediaTarget } from '../src/sdp/index.js';
import {
  blocksWithTone,
  decodeChannels,
  finishedRecording,
  meanAbs,
} from './peers/recording-checks.js';
import { establishCall, inDialogText, sdp } from './peers/raw-sip-peer.js';

const HG_IP = '127.0.0.210';
const CALLER_IP = '127.0.0.211';
const PBX_IP = '127.0.0.212';
const MOH = '/usr/share/asterisk/moh/macroform-the_simplicity.wav';
const SOUNDS = '/usr/share/asterisk/sounds/en_US_f_Allison';

const fixture = callFixture({ caller: CALLER_IP, pbx: PBX_IP });

/**
 * What the PBX sends, 8 kHz µ-law: `waitS` of a queue announcement over its music (the music 6 dB
 * under the voice), then `agentS` of an agent.
 */
function pbxAudio(waitS: number, agentS: number): Buffer {
  const wait = mulaw([
    '-i',
    join(SOUNDS, 'queue-periodic-announce.wav'),
    '-ss',
    '30',
    '-i',
    MOH,
    '-filter_complex',
    '[0:a]apad[v];[1:a]volume=-6dB[m];[v][m]amix=inputs=2:duration=longest:normalize=0',
    '-t',
    String(waitS),
  ]);
  const agent = Buffer.concat(
    ['agent-loginok', 'call-forwarding', 'auth-thankyou', 'agent-newlocation', 'activated'].map(
      (n) => mulaw(['-i', join(SOUNDS, `${n}.wav`)]),
    ),
  );
  const agentPart = Buffer.alloc(8000 * agentS, 0xff);
  agent.copy(agentPart, 0, 0, Math.min(agent.length, agentPart.length));
  return Buffer.concat([wait.subarray(0, 8000 * waitS), agentPart]);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('queue wait until a new source (detection.queueWait: until-new-source)', () => {
  it.each([{ newSource: true }, { newSource: false }])(
    'keeps the whole wait out of the recording, whatever the PBX plays, and records from the agent’s new SSRC (PBX bridges on a new SSRC: $newSource)',
    async ({ newSource }) => {
      const dir = mkdtempSync(join(tmpdir(), 'hg-queue-wait-'));
      const { caller, pbx, callerRtp, pbxRtp } = await fixture.phones();
      const { to } = await fixture.start({
        sip: { listen: [{ protocol: 'udp', address: HG_IP, port: 0 }], t1Ms: 100 },
        media: { address: HG_IP, portMin: 45200, portMax: 45299, workers: 1 },
        recording: { dir, delaySeconds: 2.5 },
        detection: { classifier: false },
        acl: { trunks: [`${CALLER_IP}/32`] },
        queues: [
          {
            name: 'care',
            match: { requestUser: '.*' },
            pbx: { host: PBX_IP, port: pbx.port },
            detection: { queueWait: 'until-new-source' },
          },
        ],
      });
      const t0 = Date.now();
      const { ok, pbxInvite, callerDialog } = await establishCall(caller, pbx, to, {
        host: HG_IP,
        callerSdp: sdp(CALLER_IP, callerRtp.address().port),
        pbxSdp: sdp(PBX_IP, pbxRtp.address().port),
      });
      const towardCaller = remoteMediaTarget(parseSdp(pbxInvite.body), 0).rtpPort;
      const towardPbx = remoteMediaTarget(parseSdp(ok.body), 0).rtpPort;

      const waitS = 8;
      const stream = pbxAudio(waitS, 6);
      const agentFrame = (waitS * 8000) / 160;
      const frames = stream.length / 160;
      const tone = new CallerTone();
      let bridgedAt = 0;
      const started = performance.now();
      for (let f = 0; f < frames; f++) {
        const wait = started + f * 20 - performance.now();
        if (wait > 1) await sleep(wait);
        if (f === agentFrame) bridgedAt = (Date.now() - t0) / 1000;
        const bridged = newSource && f >= agentFrame;
        // A buffer per packet: a socket sends a Buffer some time after send() returns, so frames
        // sent in one burst (after a stall of this loop) from one reused buffer would all go out
        // as the last of them.
        const packet = Buffer.alloc(172);
        const callerPacket = Buffer.alloc(172);
        writeRtpHeader(packet, {
          payloadType: 0,
          sequence: f,
          timestamp: (bridged ? 0x7000_0000 : 0) + f * 160,
          ssrc: bridged ? 0x0a6e7 : 0x9a17,
          marker: bridged && f === agentFrame,
        });
        stream.copy(packet, 12, f * 160, f * 160 + 160);
        pbxRtp.send(packet, towardCaller, HG_IP);
        if (bridged && f === agentFrame + 50) {
          // A late packet of the queue's source: a straggler, not another new source.
          const late = Buffer.from(packet);
          writeRtpHeader(late, {
            payloadType: 0,
            sequence: f,
            timestamp: (agentFrame - 1) * 160,
            ssrc: 0x9a17,
          });
          pbxRtp.send(late, towardCaller, HG_IP);
        }
        writeRtpHeader(callerPacket, {
          payloadType: 0,
          sequence: f,
          timestamp: f * 160,
          ssrc: 0xca11,
        });
        tone.fill(callerPacket, f < agentFrame ? 1000 : 440);
        callerRtp.send(callerPacket, towardPbx, HG_IP);
      }
      caller.send(inDialogText(caller, 'BYE', callerDialog, 2, to), to);
      await caller.response(200, 'BYE');
      const endedAt = (Date.now() - t0) / 1000;

      const { meta } = await finishedRecording(
        dir,
        newSource ? /^complete$/ : /^(absent|complete)$/,
      );
      const waits = meta.holdIntervals.filter((h) => h.cause === 'queue-wait');
      expect(waits, JSON.stringify(meta.holdIntervals)).toHaveLength(1);
      expect(waits[0]!.start).toBe(0);
      if (!newSource) {
        // The PBX kept its SSRC: the wait never ended, and nothing of the call was recorded.
        expect(waits[0]!.end, JSON.stringify(waits)).toBeGreaterThan(endedAt - 0.5);
        if (meta.audio) {
          const { caller: left } = decodeChannels(join(dir, meta.audio.file));
          expect(blocksWithTone(left, 1000, 0.05) + blocksWithTone(left, 440, 0.05)).toBe(0);
        }
        return;
      }
      // The wait ends at the agent's first frame.
      expect(
        Math.abs(waits[0]!.end - bridgedAt),
        `wait ended ${waits[0]!.end}, agent bridged ${bridgedAt}`,
      ).toBeLessThan(0.3);
      const { caller: left, agent: right } = decodeChannels(join(dir, meta.audio!.file));
      expect(blocksWithTone(left, 1000, 0.05), 'blocks of the caller’s words in the wait').toBe(0);
      expect(blocksWithTone(left, 440, 0.5), 'the caller talking to the agent').toBeGreaterThan(
        200,
      );
      // The agent is recorded; the file is the conversation only, not the wait.
      expect(meanAbs(right)).toBeGreaterThan(100);
      expect(right.length / 8000).toBeLessThan(endedAt - bridgedAt + 0.5);
    },
    60_000,
  );
});
