/**
 * The call-control interface the admin API uses (issue 7 wiring): live calls are listed with their
 * gate state; an operator pause stops the recording fork at once (cause `api`, in the metadata's
 * timeline) without touching the call; hang-up ends both legs.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { callFixture } from './peers/call-fixture.js';
import { finishedRecording } from './peers/recording-checks.js';
import { establishCall, sdp } from './peers/raw-sip-peer.js';

const HG_IP = '127.0.0.160';
const CALLER_IP = '127.0.0.161';
const PBX_IP = '127.0.0.162';

const fixture = callFixture({ caller: CALLER_IP, pbx: PBX_IP });

describe('call control', () => {
  it('lists calls, pauses and resumes the recording by API, hangs up', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hg-cc-'));
    const { caller, pbx, callerRtp, pbxRtp } = await fixture.phones();
    const { hg, to } = await fixture.start({
      sip: { listen: [{ protocol: 'udp', address: HG_IP, port: 0 }], t1Ms: 100 },
      media: { address: HG_IP, portMin: 46000, portMax: 46099, workers: 1 },
      recording: { dir, delaySeconds: 0 },
      acl: { trunks: [`${CALLER_IP}/32`] },
      queues: [
        { name: 'care', match: { requestUser: '.*' }, pbx: { host: PBX_IP, port: pbx.port } },
      ],
    });
    await establishCall(caller, pbx, to, {
      host: HG_IP,
      callerSdp: sdp(CALLER_IP, callerRtp.address().port),
      pbxSdp: sdp(PBX_IP, pbxRtp.address().port),
    });
    const control = hg.callControl;
    await expect.poll(() => control.list()[0]?.recording).toBe('recording');
    const [call] = control.list();
    expect(call).toMatchObject({
      queue: 'care',
      from: '0612345678',
      to: '1000',
      state: 'confirmed',
    });
    expect(control.pauseRecording(call!.id, 'caller asked')).toBe(true);
    expect(control.get(call!.id)).toMatchObject({
      recording: 'paused',
      pauseCauses: ['api'],
      onHold: false,
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(control.resumeRecording(call!.id)).toBe(true);
    expect(control.get(call!.id)?.recording).toBe('recording');
    expect(control.pauseRecording('no-such-call', 'x')).toBe(false);
    expect(control.hangUp(call!.id, 'operator')).toBe(true);
    const [callerBye, pbxBye] = await Promise.all([caller.request('BYE'), pbx.request('BYE')]);
    expect(callerBye.get('reason')).toMatch(/operator/);
    expect(pbxBye.get('reason')).toMatch(/operator/);
    expect(control.list()).toEqual([]);
    const { meta } = await finishedRecording(dir, /^(complete|absent)$/);
    const api = meta.holdIntervals.find((h) => h.cause === 'api');
    expect(api).toBeDefined();
    expect(api!.end - api!.start).toBeGreaterThan(0.15);
  });
});
