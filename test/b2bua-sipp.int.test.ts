/**
 * Real peers through holdgate (issue 2, Proof): SIPp as the caller (127.0.0.101) → holdgate
 * (127.0.0.100) → SIPp as the PBX (127.0.0.102). Every scenario pair also passes directly,
 * caller against PBX (test/sipp-scenarios.int.test.ts), so a failure here is holdgate's.
 */
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { validateConfig } from '../src/config/load-config.js';
import { startHoldgate, type Holdgate } from '../src/main.js';
import { silentLogger } from '../src/shared/logger.js';
import {
  describeSippResult,
  killAllSipp,
  runSipp,
  startSippServer,
  type SippOptions,
  type SippResult,
  type SippTransport,
} from './support/sipp.js';
import { withTimeout } from './support/with-timeout.js';

const FIXTURES = join(import.meta.dirname, '..', 'test-fixtures', 'sipp');
const HG_IP = '127.0.0.100';
const CALLER_IP = '127.0.0.101';
const PBX_IP = '127.0.0.102';
const HG_PORT = 5060;
let nextPort = 18000;

let hg: Holdgate | undefined;

afterEach(async () => {
  await hg?.close();
  hg = undefined;
});
afterAll(async () => {
  await killAllSipp();
});

interface Through {
  caller: SippResult;
  pbx: SippResult;
  hg: Holdgate;
}

async function through(
  uac: string,
  uas: string | undefined,
  o: {
    calls?: number;
    rate?: number;
    transport?: SippTransport;
    lost?: number;
    trunks?: string[];
    t1Ms?: number;
    callerOpts?: Partial<SippOptions>;
    pbxOpts?: Partial<SippOptions>;
    timeoutSec?: number;
  } = {},
): Promise<Through> {
  const pbxPort = nextPort;
  const callerPort = nextPort + 6;
  nextPort += 12;
  const tcp = o.transport === 't1' || o.transport === 'tn';
  hg = await startHoldgate(
    validateConfig({
      sip: {
        listen: [
          { protocol: 'udp', address: HG_IP, port: HG_PORT },
          { protocol: 'tcp', address: HG_IP, port: HG_PORT },
        ],
        t1Ms: o.t1Ms ?? 500,
      },
      recording: { enabled: false },
      acl: { trunks: o.trunks ?? [`${CALLER_IP}/32`] },
      queues: [
        {
          name: 'sales',
          match: { requestUser: '1000' },
          pbx: { host: PBX_IP, port: pbxPort, transport: tcp ? 'tcp' : 'udp' },
        },
      ],
    }),
    { logger: silentLogger() },
  );
  const calls = o.calls ?? 1;
  const timeoutSec = o.timeoutSec ?? 30;
  const pbx = uas
    ? startSippServer({
        scenario: join(FIXTURES, uas),
        localIp: PBX_IP,
        localPort: pbxPort,
        calls,
        timeoutSec,
        traceMsg: true,
        ...(o.transport ? { transport: o.transport } : {}),
        ...(o.lost ? { lost: o.lost } : {}),
        ...o.pbxOpts,
      })
    : undefined;
  if (pbx) await withTimeout(pbx.ready, 10_000, `${uas ?? ''} ready`);
  const caller = await runSipp({
    scenario: join(FIXTURES, uac),
    remote: `${HG_IP}:${HG_PORT}`,
    localIp: CALLER_IP,
    localPort: callerPort,
    calls,
    rate: o.rate ?? 10,
    timeoutSec,
    service: '1000',
    traceMsg: true,
    ...(o.transport ? { transport: o.transport } : {}),
    ...(o.lost ? { lost: o.lost } : {}),
    ...o.callerOpts,
  });
  const pbxResult = pbx
    ? await withTimeout(calls > 1 ? pbx.stop() : pbx.done, 20_000, `${uas ?? ''} done`)
    : caller;
  return { caller, pbx: pbxResult, hg };
}

function expectCompleted(run: Through, calls = 1): void {
  expect(run.caller.stats?.successfulCalls, describeSippResult(run.caller)).toBe(calls);
  expect(run.caller.stats?.failedCalls, describeSippResult(run.caller)).toBe(0);
  expect(run.pbx.stats?.successfulCalls, describeSippResult(run.pbx)).toBe(calls);
  expect(run.pbx.stats?.failedCalls, describeSippResult(run.pbx)).toBe(0);
}

describe('SIPp caller → holdgate → SIPp PBX', () => {
  it('basic call, the caller hangs up', async () => {
    const run = await through('uac-basic-call-caller-bye.xml', 'uas-answer-wait-bye.xml');
    expectCompleted(run);
    await expect.poll(() => run.hg.b2bua.activeCalls).toBe(0);
  });

  it('basic call, the PBX hangs up', async () => {
    expectCompleted(await through('uac-basic-call-pbx-bye.xml', 'uas-answer-then-bye.xml'));
  });

  it('CANCEL while ringing reaches the PBX; the caller gets 487', async () => {
    expectCompleted(await through('uac-cancel-while-ringing.xml', 'uas-ring-expect-cancel.xml'));
  });

  it('the PBX’s 486 reaches the caller', async () => {
    expectCompleted(await through('uac-invite-expect-486.xml', 'uas-reject-486.xml'));
  });

  it('a PBX that never answers gets the caller a 408 within the Timer B bound', async () => {
    const pbxPortBefore = nextPort;
    const run = await through('uac-invite-expect-408-or-503.xml', 'uas-silent.xml', {
      t1Ms: 100,
      timeoutSec: 15,
      pbxOpts: { calls: 1 },
    });
    expect(pbxPortBefore).toBeLessThan(nextPort);
    expect(run.caller.stats?.successfulCalls, describeSippResult(run.caller)).toBe(1);
    expect(run.caller.durationMs).toBeLessThan(64 * 100 + 3000);
  });

  it('hold and resume by re-INVITE from the PBX side, relayed with the answers', async () => {
    expectCompleted(await through('uac-hold-resume-answer.xml', 'uas-hold-resume-offer.xml'));
  });

  it('hold and resume by re-INVITE from the caller side, relayed with the answers', async () => {
    expectCompleted(await through('uac-hold-resume-offer.xml', 'uas-hold-resume-answer.xml'));
  });

  it('UPDATE with a hold offer from the caller', async () => {
    expectCompleted(await through('uac-update-hold-offer.xml', 'uas-update-answer.xml'));
  });

  it('UPDATE with a hold offer from the PBX', async () => {
    expectCompleted(await through('uac-update-answer.xml', 'uas-update-hold-offer.xml'));
  });

  it('INFO (dtmf-relay) from the caller is answered by the PBX', async () => {
    expectCompleted(await through('uac-info-dtmf.xml', 'uas-info-answer.xml'));
  });

  it('moh_passthrough=yes hold: the PBX adds telephone-event in its hold re-INVITE', async () => {
    expectCompleted(
      await through('uac-pcmu-only-answers-moh-hold.xml', 'uas-moh-passthrough-hold.xml'),
    );
  });

  it('OPTIONS is answered 200 by holdgate itself', async () => {
    const run = await through('uac-options-expect-200.xml', undefined);
    expect(run.caller.stats?.successfulCalls, describeSippResult(run.caller)).toBe(1);
  });

  it('TCP on both legs', async () => {
    expectCompleted(
      await through('uac-basic-call-caller-bye.xml', 'uas-answer-wait-bye.xml', {
        transport: 't1',
      }),
    );
  });

  it('an INVITE from outside the ACL gets 403 and nothing reaches the PBX', async () => {
    const pbxPort = nextPort;
    const pbx = startSippServer({
      scenario: join(FIXTURES, 'uas-answer-wait-bye.xml'),
      localIp: PBX_IP,
      localPort: pbxPort + 100,
      calls: 1,
      timeoutSec: 5,
    });
    await withTimeout(pbx.ready, 10_000, 'pbx ready');
    const run = await through('uac-invite-expect-403.xml', undefined, {
      trunks: ['127.0.0.250/32'],
    });
    expect(run.caller.stats?.successfulCalls, describeSippResult(run.caller)).toBe(1);
    const idle = await pbx.stop();
    expect(idle.stats?.incomingCalls ?? 0).toBe(0);
  });

  it('100 calls at 20 cps with -lost 10 on both SIPp sides all complete', async () => {
    const run = await through('uac-load-short-call.xml', 'uas-load-short-call.xml', {
      calls: 100,
      rate: 20,
      lost: 10,
      timeoutSec: 60,
      callerOpts: { concurrency: 100 },
      // SIPp counts an INVITE retransmission that outlived its call as a new call: no -m cap.
      pbxOpts: { calls: 10_000 },
    });
    expect(run.caller.stats?.successfulCalls, describeSippResult(run.caller)).toBe(100);
    expect(run.caller.stats?.failedCalls, describeSippResult(run.caller)).toBe(0);
    expect(run.caller.stats?.retransmissions).toBeGreaterThan(0);
    // SIPp as a UAS under -lost occasionally aborts a call on a BYE that arrives while it still
    // waits for an ACK that -lost swallowed (a real UA takes the BYE); every caller call completed.
    expect(run.pbx.stats?.failedCalls ?? 0, describeSippResult(run.pbx)).toBeLessThanOrEqual(2);
    await expect
      .poll(() => [...run.hg.b2bua.calls()].map((c) => `${c.callerCallId} ${c.state}`), {
        timeout: 20_000,
      })
      .toEqual([]);
  }, 120_000);
});
