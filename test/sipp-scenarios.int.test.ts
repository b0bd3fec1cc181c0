/**
 * Regression test for the SIPp scenarios themselves: each caller (UAC) scenario is run directly
 * against its PBX (UAS) pair on loopback, without holdgate, and both sides must complete every
 * call. If a pair fails here, a holdgate test using it would fail for the wrong reason.
 * Addresses: 127.0.0.20 (PBX side) and 127.0.0.21 (caller side), ports 17000-17999.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import {
  describeSippResult,
  killAllSipp,
  runSipp,
  startSippServer,
  type SippOptions,
  type SippResult,
} from './support/sipp.js';
import { withTimeout } from './support/with-timeout.js';
import {
  RawSipPeer,
  describe as describeMessage,
  dialogAsUac,
  inDialogText,
  inviteText,
} from './peers/raw-sip-peer.js';

const FIXTURES = join(import.meta.dirname, '..', 'test-fixtures', 'sipp');
const PBX_IP = '127.0.0.20';
const CALLER_IP = '127.0.0.21';
let nextPort = 17000;

/** Six ports per SIPp (SIP, media, media + 2), so each pair gets a fresh block of 12. */
function ports(): { pbx: number; caller: number } {
  const base = nextPort;
  nextPort += 12;
  return { pbx: base, caller: base + 6 };
}

/** Starts the PBX (UAS) scenario `uas` on PBX_IP:`port` and waits until it listens. */
async function startPbx(
  uas: string,
  port: number,
  opts: Omit<SippOptions, 'scenario' | 'localIp' | 'localPort'>,
): Promise<ReturnType<typeof startSippServer>> {
  const pbx = startSippServer({
    scenario: join(FIXTURES, uas),
    localIp: PBX_IP,
    localPort: port,
    ...opts,
  });
  await withTimeout(pbx.ready, 10_000, `${uas} ready`);
  return pbx;
}

interface PairRun {
  caller: SippResult;
  pbx: SippResult;
}

async function runPair(
  uac: string,
  uas: string,
  o: {
    calls?: number;
    rate?: number;
    callerOpts?: Partial<SippOptions>;
    pbxOpts?: Partial<SippOptions>;
    stopPbxAfterCaller?: boolean;
  } = {},
): Promise<PairRun> {
  const p = ports();
  const calls = o.calls ?? 1;
  const pbx = await startPbx(uas, p.pbx, { calls, timeoutSec: 30, ...o.pbxOpts });
  const caller = await runSipp({
    scenario: join(FIXTURES, uac),
    remote: `${PBX_IP}:${p.pbx}`,
    localIp: CALLER_IP,
    localPort: p.caller,
    calls,
    rate: o.rate ?? 10,
    timeoutSec: 30,
    service: '1000',
    ...o.callerOpts,
  });
  const pbxResult =
    o.stopPbxAfterCaller === true
      ? await pbx.stop()
      : await withTimeout(pbx.done, 15_000, `${uas} done`);
  return { caller, pbx: pbxResult };
}

function expectAllCompleted(run: PairRun, calls = 1): void {
  expect(run.caller.exitCode, describeSippResult(run.caller)).toBe(0);
  expect(run.caller.stats?.successfulCalls, describeSippResult(run.caller)).toBe(calls);
  expect(run.caller.stats?.failedCalls).toBe(0);
  expect(run.pbx.exitCode, describeSippResult(run.pbx)).toBe(0);
  expect(run.pbx.stats?.successfulCalls, describeSippResult(run.pbx)).toBe(calls);
  expect(run.pbx.stats?.failedCalls).toBe(0);
}

describe('SIPp scenario pairs, caller directly against PBX', () => {
  afterAll(async () => {
    await killAllSipp();
  });

  const pairs: [string, string][] = [
    ['uac-basic-call-caller-bye.xml', 'uas-answer-wait-bye.xml'],
    ['uac-basic-call-pbx-bye.xml', 'uas-answer-then-bye.xml'],
    ['uac-cancel-while-ringing.xml', 'uas-ring-expect-cancel.xml'],
    ['uac-invite-expect-486.xml', 'uas-reject-486.xml'],
    ['uac-invite-expect-408-or-503.xml', 'uas-reject-503.xml'],
    ['uac-invite-expect-408-or-503.xml', 'uas-reject-408.xml'],
    ['uac-invite-expect-403.xml', 'uas-reject-403.xml'],
    ['uac-invite-expect-404.xml', 'uas-reject-404.xml'],
    ['uac-hold-resume-answer.xml', 'uas-hold-resume-offer.xml'],
    ['uac-hold-resume-offer.xml', 'uas-hold-resume-answer.xml'],
    ['uac-update-hold-offer.xml', 'uas-update-answer.xml'],
    ['uac-update-answer.xml', 'uas-update-hold-offer.xml'],
    ['uac-info-dtmf.xml', 'uas-info-answer.xml'],
    ['uac-options-expect-200.xml', 'uas-options-answer.xml'],
    ['uac-pcmu-only-answers-moh-hold.xml', 'uas-moh-passthrough-hold.xml'],
  ];

  for (const [uac, uas] of pairs) {
    it(`${uac} completes against ${uas}`, async () => {
      expectAllCompleted(await runPair(uac, uas));
    });
  }

  it('the moh_passthrough hold re-INVITE adds telephone-event the caller did not offer', async () => {
    const run = await runPair(
      'uac-pcmu-only-answers-moh-hold.xml',
      'uas-moh-passthrough-hold.xml',
      {
        pbxOpts: { traceMsg: true },
      },
    );
    expectAllCompleted(run);
    const { readFile } = await import('node:fs/promises');
    const log = await readFile(run.pbx.messageLog ?? '', 'utf8');
    const sentReInvites = log
      .split(/-{5,}.*\n/)
      .filter((m) => /^INVITE /m.test(m) && /message sent/i.test(m));
    const hold = sentReInvites.find((m) => m.includes('a=sendonly'));
    expect(hold).toBeDefined();
    expect(hold).toMatch(/m=audio \d+ RTP\/AVP 0 101/);
    expect(hold).toMatch(/a=rtpmap:101 telephone-event\/8000/);
    const received = log.split(/-{5,}.*\n/).find((m) => /^INVITE /m.test(m) && /received/i.test(m));
    expect(received).toMatch(/m=audio \d+ RTP\/AVP 0\r?\n/);
  });

  it('load pair: 100 calls at 20 cps all complete', async () => {
    const run = await runPair('uac-load-short-call.xml', 'uas-load-short-call.xml', {
      calls: 100,
      rate: 20,
      stopPbxAfterCaller: true,
    });
    expect(run.caller.exitCode, describeSippResult(run.caller)).toBe(0);
    expect(run.caller.stats?.successfulCalls).toBe(100);
    expect(run.caller.stats?.failedCalls).toBe(0);
    expect(run.caller.rtt.filter((s) => s.rtd === 1)).toHaveLength(100);
    expect(run.pbx.stats?.incomingCalls).toBe(100);
    expect(run.pbx.stats?.failedCalls, describeSippResult(run.pbx)).toBe(0);
  });

  it('the load PBX takes a retransmitted INVITE (its 100, 180 and 200 lost) and completes the call', async () => {
    // Under -lost SIPp can swallow all three answers; the caller then retransmits its INVITE
    // (RFC 3261 §17.1.1.2, Timer A), here twice, before the 200's retransmission gets through.
    const p = ports();
    const pbx = await startPbx('uas-load-short-call.xml', p.pbx, { calls: 1, timeoutSec: 20 });
    const to = { address: PBX_IP, port: p.pbx };
    const peer = await RawSipPeer.udp(CALLER_IP);
    const invite = inviteText(peer, {
      host: `${to.address}:${to.port}`,
      user: 'pbx',
      tag: 'retrans-probe',
      callId: 'retransmitted-invite@holdgate-test',
      body: null,
    }).text;
    const sleep = (ms: number): Promise<void> => new Promise((ok) => setTimeout(ok, ms));
    try {
      peer.send(invite, to);
      await sleep(100);
      peer.send(invite, to);
      await sleep(600);
      peer.send(invite, to);
      await sleep(800);
      const dialog = dialogAsUac(await peer.response(200, 'INVITE'));
      peer.send(inDialogText(peer, 'ACK', dialog, 1, to), to);
      peer.send(inDialogText(peer, 'BYE', dialog, 2, to), to);
      await peer.response(200, 'BYE');
    } finally {
      peer.close();
    }
    const result = await pbx.stop();
    // 100, 180, 200, the 200's retransmission (what answers the retransmitted INVITEs), then the
    // 200 to BYE: the call was not aborted.
    const received = peer.log.map(describeMessage);
    expect(received.slice(0, 3)).toEqual(['100 1 INVITE', '180 1 INVITE', '200 1 INVITE']);
    expect(received.filter((r) => r === '200 1 INVITE').length).toBeGreaterThan(1);
    expect(result.stats?.incomingCalls).toBe(1);
    expect(result.stats?.failedCalls ?? 0, describeSippResult(result)).toBe(0);
  });

  it('the silent PBX binds, receives an INVITE and stays silent', async () => {
    const p = ports();
    const pbx = await startPbx('uas-silent.xml', p.pbx, { timeoutSec: 20, traceMsg: true });
    const caller = await runSipp({
      scenario: join(FIXTURES, 'uac-invite-expect-408-or-503.xml'),
      remote: `${PBX_IP}:${p.pbx}`,
      localIp: CALLER_IP,
      localPort: p.caller,
      calls: 1,
      timeoutSec: 2,
      killGraceSec: 3,
      extraArgs: ['-max_invite_retrans', '2'],
    });
    const result = await pbx.stop();
    expect(caller.stats?.successfulCalls).toBe(0);
    expect(result.stats?.incomingCalls).toBe(1);
    const { readFile } = await import('node:fs/promises');
    const log = await readFile(result.messageLog ?? '', 'utf8');
    expect(log).toMatch(/^INVITE /m);
    expect(log).not.toMatch(/^SIP\/2\.0 /m);
  });
});
