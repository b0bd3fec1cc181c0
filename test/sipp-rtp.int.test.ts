/**
 * SIPp as both phones, streaming real G.711 RTP through holdgate (issue 3, Proof "real peers"):
 * the caller and the PBX each play an Asterisk prompt with SIPp's rtp_stream; holdgate anchors
 * the media, relays it both ways and records both directions.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { finishedRecording } from './peers/recording-checks.js';
import { callFixture } from './peers/call-fixture.js';
import { killAllSipp, promptWav, sippCall, streamingScenario } from './support/sipp.js';

const HG_IP = '127.0.0.170';
const CALLER_IP = '127.0.0.171';
const PBX_IP = '127.0.0.172';

const fixture = callFixture({ caller: CALLER_IP, pbx: PBX_IP });
afterAll(async () => {
  await killAllSipp();
});

describe('SIPp RTP through holdgate', () => {
  it('relays and records RTP that SIPp streams in both directions', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hg-sipp-rtp-'));
    const recordings = join(dir, 'recordings');
    await fixture.start({
      sip: { listen: [{ protocol: 'udp', address: HG_IP, port: 5060 }] },
      media: { address: HG_IP, portMin: 47000, portMax: 47099, workers: 1 },
      recording: { dir: recordings, delaySeconds: 0.5 },
      acl: { trunks: [`${CALLER_IP}/32`] },
      queues: [{ name: 'care', match: { requestUser: '.*' }, pbx: { host: PBX_IP, port: 19000 } }],
    });
    await sippCall(
      {
        scenario: streamingScenario(
          dir,
          'uas-answer-streams-rtp.xml',
          promptWav(dir, 'call-forwarding'),
        ),
        localIp: PBX_IP,
        localPort: 19000,
        timeoutSec: 30,
      },
      {
        scenario: streamingScenario(
          dir,
          'uac-call-streams-rtp.xml',
          promptWav(dir, 'agent-loginok'),
        ),
        remote: `${HG_IP}:5060`,
        localIp: CALLER_IP,
        localPort: 19010,
        timeoutSec: 30,
        service: '1000',
      },
    );
    const { meta } = await finishedRecording(recordings);
    // About 3 s streamed each way (150 frames of 20 ms); the gate opens at the ACK.
    expect(meta.frames.caller).toBeGreaterThan(100);
    expect(meta.frames.agent).toBeGreaterThan(100);
  }, 60_000);
});
