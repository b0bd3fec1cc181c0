/**
 * Consent end to end (issue 6, Proof): a scripted caller phones a queue with a consent policy;
 * holdgate answers it, plays the announcement, hears the digit (RFC 4733, SIP INFO, in-band) and
 * only then calls the PBX. What is recorded, deleted and kept as a consent record is read back
 * from the recording directory and the store.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../src/config/load-config.js';
import { startHoldgate, type Holdgate } from '../src/main.js';
import { silentLogger } from '../src/shared/logger.js';
import { verifyRecording } from '../src/recorder/index.js';
import { parseSdp, remoteMediaTarget } from '../src/sdp/index.js';
import type { ConsentRecord } from '../src/store/index.js';
import type { SipResponse } from '../src/sip/message/index.js';
import { callFixture, type Phones } from './peers/call-fixture.js';
import {
  dialogAsUac,
  dialogAsUas,
  inDialogText,
  inviteText,
  responseTo,
  sdp,
  type DialogView,
  type PeerAddress,
} from './peers/raw-sip-peer.js';
import { blocksWithTone, decodeChannels, finishedRecording } from './peers/recording-checks.js';
import { RtpPhone } from './peers/rtp-phone.js';
import { describeSippResult, killAllSipp, runSipp, startSippServer } from './support/sipp.js';
import { withTimeout } from './support/with-timeout.js';

const FIXTURES = join(import.meta.dirname, '..', 'test-fixtures', 'sipp');

const HG_IP = '127.0.0.150';
const CALLER_IP = '127.0.0.151';
const PBX_IP = '127.0.0.152';
/** Synthesized prompts are shared by every test (espeak-ng runs once per text). */
const PROMPTS = join(tmpdir(), 'holdgate-test-prompts');

const fixture = callFixture({ caller: CALLER_IP, pbx: PBX_IP });
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function config(dir: string, pbxPort: number, consent: Record<string, unknown>): unknown {
  return {
    sip: { listen: [{ protocol: 'udp', address: HG_IP, port: 0 }], t1Ms: 100 },
    media: { address: HG_IP, portMin: 42000, portMax: 42199, workers: 1 },
    recording: { dir, delaySeconds: 0.5 },
    acl: { trunks: [`${CALLER_IP}/32`] },
    prompts: { dir: PROMPTS },
    queues: [
      {
        name: 'care',
        match: { requestUser: '1000' },
        pbx: { host: PBX_IP, port: pbxPort },
        purpose: { en: 'to train our staff', nl: 'om onze medewerkers te trainen' },
        consent: { timeoutSeconds: 1.5, ...consent },
      },
    ],
  };
}

interface ConsentCall {
  hg: Holdgate;
  to: PeerAddress;
  phones: Phones;
  dir: string;
  /** holdgate's 200 (or 183) to the caller. */
  answer: SipResponse;
  callerDialog: DialogView;
  phone: RtpPhone;
  /** Epoch ms the caller's INVITE was sent. */
  sentAt: number;
}

/** Caller INVITE → holdgate answers it itself → the caller ACKs and starts sending RTP. */
async function callIn(
  consent: Record<string, unknown>,
  o: { sdpExtra?: string; extra?: string; expect?: number } = {},
): Promise<ConsentCall> {
  const phones = await fixture.phones();
  const dir = mkdtempSync(join(tmpdir(), 'hg-consent-'));
  const { hg, to } = await fixture.start(config(dir, phones.pbx.port, consent));
  const sentAt = Date.now();
  phones.caller.send(
    inviteText(phones.caller, {
      host: HG_IP,
      body: sdp(CALLER_IP, phones.callerRtp.address().port) + (o.sdpExtra ? `${o.sdpExtra}\n` : ''),
      ...(o.extra ? { extra: o.extra } : {}),
    }).text,
    to,
  );
  const status = o.expect ?? 200;
  const answer = await phones.caller.response(status, 'INVITE', 8000);
  const callerDialog = dialogAsUac(answer);
  if (status === 200)
    phones.caller.send(inDialogText(phones.caller, 'ACK', callerDialog, 1, to), to);
  const target = remoteMediaTarget(parseSdp(answer.body), 0);
  const phone = new RtpPhone(
    phones.callerRtp,
    () => ({ address: target.address, port: target.rtpPort }),
    0x1234,
  );
  phone.frequency = 440;
  fixture.closers.push(() => phone.stop());
  return { hg, to, phones, dir, answer, callerDialog, phone, sentAt };
}

/** The PBX answers holdgate's INVITE; returns when holdgate ACKed. */
async function pbxAnswers(
  c: ConsentCall,
  timeoutMs = 15_000,
  onInvite: () => void = () => undefined,
): Promise<{ invitedAt: number; pbxDialog: DialogView; pbxPhone: RtpPhone }> {
  const { pbx } = c.phones;
  const invite = await pbx.request('INVITE', timeoutMs);
  const invitedAt = Date.now();
  onInvite();
  pbx.send(
    responseTo(invite, 200, 'OK', {
      toTag: 'pbx1',
      extra: `Contact: <sip:agent@${pbx.hostport}>`,
      body: sdp(PBX_IP, c.phones.pbxRtp.address().port),
    }),
    c.to,
  );
  const ack = await pbx.request('ACK');
  const target = remoteMediaTarget(parseSdp(invite.body), 0);
  const pbxPhone = new RtpPhone(
    c.phones.pbxRtp,
    () => ({ address: target.address, port: target.rtpPort }),
    0x5678,
  );
  pbxPhone.frequency = 1000;
  fixture.closers.push(() => pbxPhone.stop());
  return { invitedAt, pbxDialog: dialogAsUas(ack), pbxPhone };
}

async function hangUp(c: ConsentCall): Promise<void> {
  c.phones.caller.send(inDialogText(c.phones.caller, 'BYE', c.callerDialog, 2, c.to), c.to);
  await c.phones.caller.response(200, 'BYE');
}

async function consentRecords(hg: Holdgate): Promise<ConsentRecord[]> {
  return hg.store.consent.listByNumber('0612345678');
}

/** Every file of the recording directory (spools, metadata, audio), after things settled. */
async function recordingFiles(dir: string): Promise<string[]> {
  await sleep(800);
  return readdirSync(dir);
}

/** RTP packets holdgate sent the caller (the announcement and confirmation). */
function promptPackets(c: ConsentCall): number {
  return c.phones.callerRtp.received.length;
}

/** The consent record details the tests read (Call#consentDetails). */
interface Details {
  placement: string;
  language: string;
  purpose: string | null;
  announcement: { file: string; sha256: string; completed: boolean };
  confirmation: { file: string } | null;
  digits: { digit: string; source: string }[];
  decidingDigit: { digit: string; source: string } | null;
  recordpref: string | null;
  late?: boolean;
}

/** The metadata fields of a finished recording's consent. */
interface MetaConsent {
  consent: { outcome: string; record: Details };
}

const INFO_DTMF_RELAY = (digit: string): string => `Signal=${digit}\r\nDuration=160\r\n`;

describe('consent: opt-out', () => {
  it('RFC 4733 digit during the announcement: confirmation, PBX called after, nothing recorded, record kept', async () => {
    const c = await callIn({ policy: 'opt-out' });
    expect(c.phones.pbx.count((m) => m.kind === 'request')).toBe(0);
    await sleep(1200);
    expect(promptPackets(c)).toBeGreaterThan(20); // the announcement is playing
    const pressedAt = Date.now();
    c.phone.pressRfc4733('9', 160);
    const { invitedAt } = await pbxAnswers(c);
    expect(invitedAt).toBeGreaterThan(pressedAt); // the PBX leg only after consent settled
    await sleep(1500);
    await hangUp(c);
    expect(await recordingFiles(c.dir)).toEqual([]);
    const records = await consentRecords(c.hg);
    expect(records).toHaveLength(1);
    const r = records[0]!;
    expect(r.outcome).toBe('opted-out');
    expect(r.policy).toBe('opt-out');
    const d = r.details as unknown as Details;
    expect(d.decidingDigit).toMatchObject({ digit: '9', source: 'rfc4733' });
    expect(d.announcement.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(d.announcement.completed).toBe(false);
    expect(d.language).toBe('en');
    expect(d.purpose).toBe('to train our staff');
    expect(d.confirmation?.file).toMatch(/confirmation/);
  }, 40_000);

  it('SIP INFO (application/dtmf-relay) opts out the same way', async () => {
    const c = await callIn({ policy: 'opt-out', placement: 'answer' });
    await sleep(800);
    c.phones.caller.send(
      inDialogText(c.phones.caller, 'INFO', c.callerDialog, 2, c.to, {
        body: INFO_DTMF_RELAY('9'),
      }).replace('Content-Type: application/sdp', 'Content-Type: application/dtmf-relay'),
      c.to,
    );
    await c.phones.caller.response(200, 'INFO');
    await pbxAnswers(c);
    await sleep(1000);
    c.phones.caller.send(inDialogText(c.phones.caller, 'BYE', c.callerDialog, 3, c.to), c.to);
    await c.phones.caller.response(200, 'BYE');
    expect(await recordingFiles(c.dir)).toEqual([]);
    const [r] = await consentRecords(c.hg);
    expect(r?.outcome).toBe('opted-out');
    expect((r?.details as unknown as Details).decidingDigit?.source).toBe('info');
  }, 40_000);

  it('in-band DTMF (tones in the audio) opts out', async () => {
    const c = await callIn({ policy: 'opt-out' });
    await sleep(800);
    c.phone.frequency = 0;
    await c.phone.pressInband('9', 140);
    await pbxAnswers(c);
    await sleep(1000);
    await hangUp(c);
    expect(await recordingFiles(c.dir)).toEqual([]);
    const [r] = await consentRecords(c.hg);
    expect(r?.outcome).toBe('opted-out');
    expect((r?.details as unknown as Details).decidingDigit?.source).toBe('inband');
  }, 40_000);

  it('no digit: recorded after the timeout, with nothing of the announcement window in the file', async () => {
    const c = await callIn({ policy: 'opt-out' });
    c.phone.frequency = 700; // what the caller says during the announcement: never recorded
    // Consent is settled before the PBX is called: from then on the caller says 440 Hz.
    const { pbxPhone } = await pbxAnswers(c, 20_000, () => {
      c.phone.frequency = 440;
    });
    await sleep(2500);
    pbxPhone.frequency = 1000;
    await hangUp(c);
    const { meta, path } = await finishedRecording(c.dir);
    expect(meta.status).toBe('complete');
    const full = JSON.parse(readFileSync(path, 'utf8')) as MetaConsent;
    expect(full.consent.outcome).toBe('recorded');
    expect(full.consent.record.announcement.completed).toBe(true);
    expect(await verifyRecording(path)).toEqual({ ok: true }); // the sealed metadata holds
    const audio = join(c.dir, meta.audio!.file);
    const { caller } = decodeChannels(audio);
    expect(blocksWithTone(caller, 440, 0.5)).toBeGreaterThan(50);
    expect(blocksWithTone(caller, 700, 0.3)).toBe(0);
    const [r] = await consentRecords(c.hg);
    expect(r?.outcome).toBe('recorded');
  }, 40_000);
});

describe('consent: opt-in, hints, hang-ups', () => {
  it('opt-in without a digit: no-answer, nothing recorded', async () => {
    const c = await callIn({ policy: 'opt-in' });
    await pbxAnswers(c, 20_000);
    await sleep(1500);
    await hangUp(c);
    expect(await recordingFiles(c.dir)).toEqual([]);
    const [r] = await consentRecords(c.hg);
    expect(r?.outcome).toBe('no-answer');
  }, 40_000);

  it('opt-in with the digit (burst of keys, one long press) records; every key kept in order', async () => {
    const c = await callIn({ policy: 'opt-in' });
    await sleep(600);
    for (const key of ['4', '2'] as const) {
      c.phone.pressRfc4733(key, 80);
      await sleep(200);
    }
    c.phone.pressRfc4733('1', 2000); // a long press: one key
    const { pbxPhone } = await pbxAnswers(c);
    await sleep(2000);
    pbxPhone.stop();
    await hangUp(c);
    const { meta } = await finishedRecording(c.dir);
    expect(meta.status).toBe('complete');
    const [r] = await consentRecords(c.hg);
    expect(r?.outcome).toBe('opted-in');
    const digits = (r?.details as unknown as Details).digits as {
      digit: string;
      source: string;
    }[];
    expect(digits.map((d) => d.digit)).toEqual(['4', '2', '1']);
  }, 40_000);

  it('a=recordpref:off in the offer counts as opt-out, without waiting for a digit', async () => {
    const c = await callIn({ policy: 'opt-out' }, { sdpExtra: 'a=recordpref:off' });
    const { invitedAt } = await pbxAnswers(c, 5000);
    expect(invitedAt - c.sentAt).toBeLessThan(3000); // no announcement and collection window
    await sleep(1000);
    await hangUp(c);
    expect(await recordingFiles(c.dir)).toEqual([]);
    const [r] = await consentRecords(c.hg);
    expect(r?.outcome).toBe('opted-out');
    expect((r?.details as unknown as Details).recordpref).toBe('off');
  }, 30_000);

  it('the caller hanging up during the announcement: no PBX leg, no recording, abandoned', async () => {
    const c = await callIn({ policy: 'opt-out' });
    await sleep(700);
    await hangUp(c);
    await sleep(500);
    expect(c.phones.pbx.count((m) => m.kind === 'request' && m.method === 'INVITE')).toBe(0);
    expect(await recordingFiles(c.dir)).toEqual([]);
    const [r] = await consentRecords(c.hg);
    expect(r?.outcome).toBe('abandoned');
  }, 30_000);
});

describe('consent: late opt-out', () => {
  it('*9 in the call deletes the recording made so far; only the consent records stay', async () => {
    const c = await callIn({ policy: 'announce', lateOptOutDigits: '*9' });
    const { pbxPhone } = await pbxAnswers(c, 20_000);
    await sleep(2500);
    const spools = readdirSync(c.dir);
    expect(spools.some((n) => n.endsWith('.spool'))).toBe(true);
    c.phone.pressRfc4733('*', 100);
    await sleep(300);
    c.phone.pressRfc4733('9', 100);
    await sleep(1500);
    expect(readdirSync(c.dir)).toEqual([]);
    pbxPhone.stop();
    await hangUp(c);
    expect(await recordingFiles(c.dir)).toEqual([]);
    const records = await consentRecords(c.hg);
    expect(records.map((r) => r.outcome)).toEqual(['recorded', 'opted-out']);
    expect((records[1]?.details as unknown as Details).late).toBe(true);
    expect(existsSync(c.dir)).toBe(true);
  }, 40_000);
});

describe('consent: placements and languages', () => {
  it('early-media placement: 183 with holdgate SDP, the 200 only when the PBX answers', async () => {
    const c = await callIn({ policy: 'announce', placement: 'early-media' }, { expect: 183 });
    expect(c.answer.body.toString()).toMatch(/m=audio \d+ RTP\/AVP 0 101/);
    expect(c.phones.caller.count((m) => m.kind === 'response' && m.status === 200)).toBe(0);
    const { invitedAt } = await pbxAnswers(c, 20_000);
    const ok = await c.phones.caller.response(200, 'INVITE');
    expect(Date.now()).toBeGreaterThanOrEqual(invitedAt);
    // The 200 repeats the answer of the 183 (RFC 3261 §13.2.1, RFC 3264 §8: same version).
    expect(ok.body.toString()).toBe(c.answer.body.toString());
    const dialog = dialogAsUac(ok);
    c.phones.caller.send(inDialogText(c.phones.caller, 'ACK', dialog, 1, c.to), c.to);
    await sleep(1500);
    c.phones.caller.send(inDialogText(c.phones.caller, 'BYE', dialog, 2, c.to), c.to);
    await c.phones.caller.response(200, 'BYE');
    const { meta } = await finishedRecording(c.dir);
    expect(meta.status).toBe('complete');
    const [r] = await consentRecords(c.hg);
    expect(r?.outcome).toBe('recorded');
    expect((r?.details as unknown as Details).placement).toBe('early-media');
  }, 40_000);

  it('Accept-Language picks the Dutch prompts; a record-aware caller sees a=record:off', async () => {
    const c = await callIn(
      { policy: 'opt-out', languageHeader: 'Accept-Language' },
      { extra: 'Accept-Language: fr;q=0.9, nl-NL\nSupported: record-aware' },
    );
    expect(c.answer.body.toString()).toMatch(/a=record:off/);
    await sleep(800);
    c.phone.pressRfc4733('9', 100);
    await pbxAnswers(c);
    await sleep(500);
    await hangUp(c);
    const [r] = await consentRecords(c.hg);
    const d = r?.details as unknown as Details;
    expect(d.language).toBe('nl');
    expect(d.purpose).toBe('om onze medewerkers te trainen');
    expect(d.announcement.file).toContain(join('care', 'nl'));
  }, 40_000);
});

describe('consent with SIPp as caller and PBX', () => {
  afterAll(async () => {
    await killAllSipp();
  });

  for (const [scenario, source] of [
    ['uac-consent-rfc4733-optout.xml', 'rfc4733'],
    ['uac-consent-info-optout.xml', 'info'],
  ] as const) {
    it(`opt-out by ${source}: SIPp calls complete, no audio kept, a consent record`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'hg-consent-sipp-'));
      const pbx = startSippServer({
        scenario: join(FIXTURES, 'uas-answer-wait-bye.xml'),
        localIp: PBX_IP,
        localPort: 5090,
        calls: 1,
        timeoutSec: 30,
      });
      await withTimeout(pbx.ready, 10_000, 'pbx ready');
      const { hg, to } = await fixture.start(config(dir, 5090, { policy: 'opt-out' }));
      const caller = await runSipp({
        scenario: join(FIXTURES, scenario),
        remote: `${to.address}:${to.port}`,
        localIp: CALLER_IP,
        localPort: 5092,
        calls: 1,
        timeoutSec: 30,
        service: '1000',
      });
      expect(caller.exitCode, describeSippResult(caller)).toBe(0);
      const pbxResult = await withTimeout(pbx.done, 15_000, 'pbx done');
      expect(pbxResult.stats?.successfulCalls, describeSippResult(pbxResult)).toBe(1);
      expect(await recordingFiles(dir)).toEqual([]);
      const records = await hg.store.consent.listByNumber('caller');
      expect(records.map((r) => r.outcome)).toEqual(['opted-out']);
      expect((records[0]?.details as unknown as Details).decidingDigit?.source).toBe(source);
    }, 60_000);
  }
});

describe('consent: RFC 7866 record-aware caller', () => {
  it('a=record follows the gate: off while asking, on once recorded, paused on a PBX hold', async () => {
    const c = await callIn({ policy: 'opt-out' }, { extra: 'Supported: record-aware' });
    expect(c.answer.body.toString()).toMatch(/^a=record:off\r$/m);
    const { pbxDialog } = await pbxAnswers(c, 20_000);
    const { caller, pbx } = c.phones;
    const answerFor = (invite: { body: Buffer }, tag: string) =>
      responseTo(invite as never, 200, 'OK', {
        toTag: tag,
        body: sdp(CALLER_IP, c.phones.callerRtp.address().port),
      });
    // Consent settled as `recorded`, the call connected: holdgate re-INVITEs the caller.
    const on = await caller.request('INVITE', 5000);
    expect(on.body.toString()).toMatch(/^a=record:on\r$/m);
    expect(on.body.toString()).toMatch(/^o=holdgate \d+ 2 /m); // RFC 3264 §8: next version
    caller.send(answerFor(on, ''), c.to);
    await caller.request('ACK');
    // The PBX puts the caller on hold: the relayed offer says the recording is paused.
    pbx.send(
      inDialogText(pbx, 'INVITE', pbxDialog, 2, c.to, {
        body: sdp(PBX_IP, c.phones.pbxRtp.address().port, 'sendonly'),
      }),
      c.to,
    );
    const held = await caller.request('INVITE', 5000);
    expect(held.body.toString()).toMatch(/^a=sendonly\r$/m);
    expect(held.body.toString()).toMatch(/^a=record:paused\r$/m);
    caller.send(
      responseTo(held, 200, 'OK', {
        body: sdp(CALLER_IP, c.phones.callerRtp.address().port, 'recvonly'),
      }),
      c.to,
    );
    await pbx.response(200, 'INVITE');
    await hangUp(c);
    const [r] = await consentRecords(c.hg);
    expect(r?.outcome).toBe('recorded');
  }, 40_000);
});

describe('consent: offer-less INVITE', () => {
  it('holdgate offers in its 200, takes the answer from the ACK, then asks and connects', async () => {
    const phones = await fixture.phones();
    const dir = mkdtempSync(join(tmpdir(), 'hg-consent-'));
    const { hg, to } = await fixture.start(config(dir, phones.pbx.port, { policy: 'opt-out' }));
    phones.caller.send(inviteText(phones.caller, { host: HG_IP, body: null }).text, to);
    const ok = await phones.caller.response(200, 'INVITE', 8000);
    const offer = ok.body.toString();
    expect(offer).toMatch(/^m=audio \d+ RTP\/AVP 0 8 101\r$/m);
    const dialog = dialogAsUac(ok);
    // The caller answers PCMA only (RFC 3264 §6.1: one of the offered formats).
    const answer = sdp(CALLER_IP, phones.callerRtp.address().port)
      .replace('RTP/AVP 0 101', 'RTP/AVP 8 101')
      .replace('a=rtpmap:0 PCMU/8000', 'a=rtpmap:8 PCMA/8000');
    phones.caller.send(inDialogText(phones.caller, 'ACK', dialog, 1, to, { body: answer }), to);
    await sleep(1000);
    const prompt = phones.callerRtp.received.at(-1);
    expect((prompt?.[1] ?? 0) & 0x7f).toBe(8); // the announcement is played in PCMA
    const invite = await phones.pbx.request('INVITE', 15_000);
    expect(invite.body.toString()).toMatch(/^m=audio \d+ RTP\/AVP 8 101\r$/m);
    phones.pbx.send(
      responseTo(invite, 200, 'OK', {
        toTag: 'pbx1',
        extra: `Contact: <sip:agent@${phones.pbx.hostport}>`,
        body: sdp(PBX_IP, phones.pbxRtp.address().port)
          .replace('RTP/AVP 0 101', 'RTP/AVP 8 101')
          .replace('a=rtpmap:0 PCMU/8000', 'a=rtpmap:8 PCMA/8000'),
      }),
      to,
    );
    await phones.pbx.request('ACK');
    phones.caller.send(inDialogText(phones.caller, 'BYE', dialog, 2, to), to);
    await phones.caller.response(200, 'BYE');
    const [r] = await hg.store.consent.listByNumber('0612345678');
    expect(r?.outcome).toBe('recorded');
  }, 40_000);

  it('a caller gone before its ACK leaves an abandoned record and no PBX leg', async () => {
    const phones = await fixture.phones();
    const dir = mkdtempSync(join(tmpdir(), 'hg-consent-'));
    const { hg, to } = await fixture.start(config(dir, phones.pbx.port, { policy: 'opt-in' }));
    phones.caller.send(inviteText(phones.caller, { host: HG_IP, body: null }).text, to);
    const ok = await phones.caller.response(200, 'INVITE', 8000);
    const dialog = dialogAsUac(ok);
    phones.caller.send(inDialogText(phones.caller, 'BYE', dialog, 2, to), to);
    await phones.caller.response(200, 'BYE');
    await sleep(500);
    expect(phones.pbx.count((m) => m.kind === 'request')).toBe(0);
    expect(await recordingFiles(dir)).toEqual([]);
    const [r] = await hg.store.consent.listByNumber('0612345678');
    expect(r?.outcome).toBe('abandoned');
  }, 30_000);
});

describe('consent queues through the admin API', () => {
  it('refuses a consent queue without purpose or prompt (400), accepts one with a purpose, and its calls are asked', async () => {
    const phones = await fixture.phones();
    const dir = mkdtempSync(join(tmpdir(), 'hg-consent-'));
    const key = 'k'.repeat(40);
    const base = config(dir, phones.pbx.port, {}) as Record<string, unknown>;
    const hg = await startHoldgate(
      validateConfig({ ...base, queues: [], admin: { enabled: true, address: HG_IP, port: 0 } }),
      { logger: silentLogger(), env: { HOLDGATE_ADMIN_KEY: key } },
    );
    fixture.closers.push(() => void hg.close());
    const a = hg.adminAddress()!;
    const put = (body: unknown): Promise<Response> =>
      fetch(`http://${a.address}:${a.port}/queues/sales`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const queue = {
      name: 'sales',
      match: { requestUser: '1000' },
      pbx: { host: PBX_IP, port: phones.pbx.port },
      consent: { policy: 'opt-in', timeoutSeconds: 1 },
    };
    const refused = await put(queue);
    expect(refused.status).toBe(400);
    expect(refused.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(JSON.stringify(await refused.json())).toMatch(/\/body\/consent.*purpose\.en/);
    const missingFile = await put({
      ...queue,
      consent: { ...queue.consent, prompts: { en: { announcement: '/nonexistent/a.wav' } } },
    });
    expect(missingFile.status).toBe(400);
    const accepted = await put({ ...queue, purpose: { en: 'for quality' } });
    expect(accepted.status).toBe(201);
    // Queue changes reach the B2BUA on its 2 s refresh tick; then a call is asked for consent.
    await sleep(2500);
    const udp = hg.localEndpoints().find((e) => e.protocol === 'udp')!;
    const to = { address: udp.address, port: udp.port };
    phones.caller.send(
      inviteText(phones.caller, {
        host: HG_IP,
        body: sdp(CALLER_IP, phones.callerRtp.address().port),
      }).text,
      to,
    );
    const ok = await phones.caller.response(200, 'INVITE', 8000);
    phones.caller.send(inDialogText(phones.caller, 'ACK', dialogAsUac(ok), 1, to), to);
    const invite = await phones.pbx.request('INVITE', 15_000);
    expect(invite.method).toBe('INVITE');
    const [r] = await hg.store.consent.listByNumber('0612345678');
    expect(r?.outcome).toBe('no-answer');
    expect(r?.queue).toBe('sales');
    const metrics = await fetch(`http://${a.address}:${a.port}/metrics`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(await metrics.text()).toMatch(
      /^holdgate_consent_outcomes_total\{queue="sales",outcome="no-answer"\} 1$/m,
    );
  }, 40_000);
});

describe('consent: the PBX refuses after the caller was answered', () => {
  it('the caller gets a BYE saying why (RFC 3326); the recording holds no audio', async () => {
    const c = await callIn({ policy: 'announce' });
    const invite = await c.phones.pbx.request('INVITE', 20_000);
    c.phones.pbx.send(responseTo(invite, 486, 'Busy Here', { toTag: 'pbx1' }), c.to);
    const bye = await c.phones.caller.request('BYE', 5000);
    expect(bye.get('reason')).toMatch(/486/);
    await c.phones.pbx.request('ACK'); // holdgate ACKs the 486 (RFC 3261 §17.1.1.3)
    // Consent was given, but no audio flowed: metadata only, status `absent` (no audio file).
    const files = await recordingFiles(c.dir);
    expect(files.filter((n) => !n.endsWith('.json'))).toEqual([]);
    const { meta } = await finishedRecording(c.dir, /^absent$/);
    expect(meta.audio).toBeNull();
    const [r] = await consentRecords(c.hg);
    expect(r?.outcome).toBe('recorded');
  }, 40_000);
});
