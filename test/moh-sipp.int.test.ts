/**
 * Hold heard, not signalled, with SIPp as both phones (issue 5, Proof: "a real-peer e2e where the
 * PBX SIPp plays Asterisk hold music with no re-INVITE"). After the ACK the PBX SIPp streams one
 * G.711 stream: the agent for 3 s, Asterisk hold music for 7 s, the agent again, and no SIP at
 * all around the hold. The caller SIPp streams, from its ACK, a 440 Hz tone while it talks to the
 * agent and a 1 kHz tone (its private words) while the music plays. The finalized recording must
 * hold none of the music and none of the 1 kHz tone, and both conversations around it.
 * Near the end of the hold the caller's phone stalls for a second (SIGSTOP), then sends what it
 * owes in a burst after the music has ended: those words were spoken during the hold, and must be
 * judged by when they were spoken, not by when they arrived.
 * A second call puts Asterisk's 7.8 s queue announcement between the music: the caller is on hold
 * through it and must not be recorded there either.
 * The audio is made at test time from Debian's Asterisk packages (never committed).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  blockTimes,
  blocksWithTone,
  decodeChannels,
  finishedRecording,
  meanAbs,
  musicMatchAt,
} from './peers/recording-checks.js';
import { callFixture } from './peers/call-fixture.js';
import { killAllSipp, sippCall, streamingScenario } from './support/sipp.js';

const HG_IP = '127.0.0.200';
const CALLER_IP = '127.0.0.201';
const PBX_IP = '127.0.0.202';
const MOH = '/usr/share/asterisk/moh/macroform-the_simplicity.wav';
/** Detection by the classifier alone: no known music. */
const CLASSIFIER_ONLY = { knownMusic: [], classifier: true };
/** Hold music the classifier hears within a second or so of its first note, after silence too. */
const ROBOT_DITY = '/usr/share/asterisk/moh/macroform-robot_dity.wav';
const SPEECH = '/usr/share/asterisk/sounds/en_US_f_Allison';
/** The music plays from 3 s to 10 s after the ACK; the call lasts 14 s. */
const MUSIC_FROM_S = 3;
const MUSIC_TO_S = 10;
const CALL_S = 14;
/** The caller's SIPp stalls from 9.4 s after it starts for 1 s: its last 0.4 s of private words arrive late. */
const STALL_FROM_S = 9.4;
const STALL_S = 1;
/** The queue wait: the PBX plays MOH from its first note for WAIT_S, then the agent talks. */
const WAIT_S = 6;
const WAIT_CALL_S = 22;
const AGENT_PROMPTS = ['agent-loginok', 'call-forwarding', 'auth-thankyou', 'agent-newlocation'];
/**
 * Music, Asterisk's stock 7.8 s `queue-periodic-announce`, music again, then the agent: the
 * announcement runs from ANNOUNCE_FROM_S, the music ends at HOLD_TO_S, the call lasts ANNOUNCE_CALL_S.
 */
const ANNOUNCE_FROM_S = 11;
const HOLD_TO_S = 26;
const ANNOUNCE_CALL_S = 40;
/**
 * A queue's opening, the same on every call: a welcome (Asterisk prompts) spoken over the hold
 * music from its first note for WELCOME_S, the music alone until OPENING_S, then the agent; the call
 * lasts OPENING_CALL_S. The music lies WELCOME_MUSIC_GAIN (amplitude) under the prompts.
 */
const WELCOME_S = 6;
const OPENING_S = 12;
const OPENING_CALL_S = 28;
const WELCOME_MUSIC_GAIN = 0.25;
const WELCOME_PROMPTS = ['queue-thankyou', 'queue-holdtime', 'queue-periodic-announce'];

const fixture = callFixture({ caller: CALLER_IP, pbx: PBX_IP });
afterAll(async () => {
  await killAllSipp();
});

const sox = (...args: string[]): void => {
  execFileSync('sox', args);
};
const ulaw = ['-r', '8000', '-c', '1', '-e', 'u-law'];

/** The agent: Asterisk prompts, then 0.4 s of silence, as an 8 kHz WAV in `dir`. */
function agentSpeech(dir: string): string {
  const agent = join(dir, 'agent.wav');
  const prompts = AGENT_PROMPTS.map((n) => join(SPEECH, `${n}.wav`));
  sox(...prompts, '-r', '8000', '-c', '1', agent, 'pad', '0', '0.4');
  return agent;
}

/**
 * holdgate in front of this file's two SIPps, recording into `recordings` with D = 2.5 s, with
 * `detection` as its hold-music detection.
 */
async function startHoldgate(recordings: string, detection: object): Promise<void> {
  await fixture.start({
    sip: { listen: [{ protocol: 'udp', address: HG_IP, port: 5060 }] },
    media: { address: HG_IP, portMin: 47200, portMax: 47299, workers: 1 },
    recording: { dir: recordings, delaySeconds: 2.5 },
    detection,
    acl: { trunks: [`${CALLER_IP}/32`] },
    queues: [{ name: 'care', match: { requestUser: '.*' }, pbx: { host: PBX_IP, port: 19200 } }],
  });
}

/**
 * One call: the PBX SIPp answers and streams `pbx` once (`pbxQuietS` after the ACK: nothing on
 * the wire till then), the caller SIPp streams `caller` once and hangs up after `callS`;
 * `onCallerSpawn` gets the caller SIPp's pid.
 */
async function streamingCall(
  dir: string,
  pbx: string,
  caller: string,
  callS: number,
  onCallerSpawn?: (pid: number) => void,
  pbxQuietS = 0,
): Promise<void> {
  const once = { ',-1,0"': ',1,0"' };
  const quiet =
    pbxQuietS > 0
      ? {
          '<recv request="ACK">': `<recv request="ACK"/>\n  <pause milliseconds="${pbxQuietS * 1000}"/>\n  <nop>`,
          '</recv>\n  <recv request="BYE"/>': '</nop>\n  <recv request="BYE"/>',
        }
      : {};
  await sippCall(
    {
      // Streams once (no loop): the stream ends as the caller hangs up.
      scenario: streamingScenario(dir, 'uas-answer-streams-rtp.xml', pbx, { ...once, ...quiet }),
      localIp: PBX_IP,
      localPort: 19200,
      timeoutSec: callS + 26,
    },
    {
      scenario: streamingScenario(dir, 'uac-call-streams-rtp.xml', caller, {
        ...once,
        '<pause milliseconds="3000"/>': `<pause milliseconds="${callS * 1000}"/>`,
      }),
      remote: `${HG_IP}:5060`,
      localIp: CALLER_IP,
      localPort: 19210,
      timeoutSec: callS + 26,
      service: '1000',
      ...(onCallerSpawn ? { onSpawn: onCallerSpawn } : {}),
    },
  );
}

/**
 * What the PBX sends: the agent (Asterisk prompts), the hold music from 40 s into the track,
 * the agent again; 14 s of µ-law in all.
 */
function pbxAudio(dir: string): string {
  const agent = agentSpeech(dir);
  const before = join(dir, 'before.wav');
  const music = join(dir, 'music.wav');
  const after = join(dir, 'after.wav');
  sox(agent, before, 'trim', '0', String(MUSIC_FROM_S));
  sox(MOH, '-r', '8000', '-c', '1', music, 'trim', '40', String(MUSIC_TO_S - MUSIC_FROM_S));
  sox(agent, after, 'trim', '0', String(CALL_S - MUSIC_TO_S));
  const out = join(dir, 'pbx.wav');
  sox(before, music, after, ...ulaw, out);
  return out;
}

/** Stops process `pid` at `fromS` for `forS` seconds, as a phone whose sending stalls. */
function stallAt(pid: number, fromS: number, forS: number): void {
  setTimeout(() => {
    process.kill(pid, 'SIGSTOP');
    setTimeout(() => {
      process.kill(pid, 'SIGCONT');
    }, forS * 1000);
  }, fromS * 1000);
}

/** `seconds` of a sine at `freq` (0.3 full scale), or of silence, as an 8 kHz WAV in `dir`. */
function tone(dir: string, name: string, seconds: number, freq?: number): string {
  const f = join(dir, `${name}.wav`);
  sox(
    ...['-n', '-r', '8000', '-c', '1', f, 'synth', String(seconds), 'sine', String(freq ?? 0)],
    ...['vol', freq === undefined ? '0' : '0.3'],
  );
  return f;
}

/**
 * What the caller sends over `callS`: 440 Hz while talking to the agent, 1 kHz (private words)
 * while on hold from `holdFromS` to `holdToS`, with 200 ms of silence at each change so that a
 * few ms of skew between the two SIPps cannot put a tone on the wrong side.
 */
function callerAudio(dir: string, holdFromS: number, holdToS: number, callS: number): string {
  const out = join(dir, 'caller.wav');
  sox(
    tone(dir, 'talk1', holdFromS - 0.2, 440),
    tone(dir, 'gap1', 0.4),
    tone(dir, 'private', holdToS - holdFromS - 0.4, 1000),
    tone(dir, 'gap2', 0.4),
    tone(dir, 'talk2', callS - holdToS - 0.2, 440),
    ...ulaw,
    out,
  );
  return out;
}

/**
 * What a caller in a queue wait sends over `callS`, as `caller-<name>.wav` in `dir`: silent 0.3 s,
 * private words (1 kHz) while waiting until `waitS`, then talking to the agent (440 Hz), with
 * 0.8 s of silence at the change.
 */
function waitingCaller(dir: string, name: string, waitS: number, callS: number): string {
  const out = join(dir, `caller-${name}.wav`);
  sox(
    tone(dir, `${name}-gap0`, 0.3),
    tone(dir, `${name}-private`, waitS - 0.3 - 0.4, 1000),
    tone(dir, `${name}-gap1`, 0.8),
    tone(dir, `${name}-talk`, callS - waitS - 0.4, 440),
    ...ulaw,
    out,
  );
  return out;
}

/**
 * The finalized recording in `recordings` holds one music-on-hold pause, from the music's start
 * (`holdFromS`) to between `endAfterS` and `endBeforeS`; none of the caller's private words (1 kHz)
 * nor of the hold music; more than `callerBlocks` 20 ms blocks of the caller talking (440 Hz), and
 * the agent.
 */
async function expectHoldKeptOut(
  recordings: string,
  holdFromS: number,
  [endAfterS, endBeforeS]: readonly [number, number],
  callerBlocks: number,
): Promise<void> {
  const { meta } = await finishedRecording(recordings);
  const holds = meta.holdIntervals.filter((h) => h.cause === 'music-on-hold');
  expect(holds, JSON.stringify(meta.holdIntervals)).toHaveLength(1);
  // Call time 0 is the INVITE; the ACK, and both streams, follow within a few ms on loopback.
  const [hold] = holds as [(typeof holds)[number]];
  expect(hold.start, JSON.stringify(hold)).toBeGreaterThan(holdFromS - 0.5);
  expect(hold.start, JSON.stringify(hold)).toBeLessThan(holdFromS + 0.2);
  expect(hold.end, JSON.stringify(hold)).toBeGreaterThan(endAfterS);
  expect(hold.end, JSON.stringify(hold)).toBeLessThan(endBeforeS);

  const { caller: left, agent: right } = decodeChannels(join(recordings, meta.audio!.file));
  expect(
    blockTimes(left, 1000, 0.05, meta.segments),
    'call times (s) of recorded blocks of the caller’s private words',
  ).toEqual([]);
  expect(blocksWithTone(left, 440, 0.5), 'the caller around the hold').toBeGreaterThan(
    callerBlocks,
  );
  // None of the hold music: a fresh detector over the agent channel finds no match.
  expect(musicMatchAt(right, MOH), 'hold music found in the recording').toBeUndefined();
  // The agent is there, before and after.
  expect(meanAbs(right)).toBeGreaterThan(100);
}

describe('music on hold without signalling, SIPp as both phones', () => {
  it('the PBX SIPp streams Asterisk hold music: none of it and none of the caller’s words under it are recorded', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hg-moh-sipp-'));
    const recordings = join(dir, 'recordings');
    // The queue's announcements are at most 2 s long: the recording resumes 2 s after the music.
    await startHoldgate(recordings, {
      knownMusic: ['/usr/share/asterisk/moh'],
      announcementSeconds: 2,
    });
    await streamingCall(
      dir,
      pbxAudio(dir),
      callerAudio(dir, MUSIC_FROM_S, MUSIC_TO_S, CALL_S),
      CALL_S,
      (pid) => {
        stallAt(pid, STALL_FROM_S, STALL_S);
      },
    );
    // 2.8 s before and 1.7 s after the hold: 225 blocks of 20 ms, less what the guards take.
    await expectHoldKeptOut(
      recordings,
      MUSIC_FROM_S,
      [MUSIC_TO_S + 2 - 0.2, MUSIC_TO_S + 2 + 0.5],
      180,
    );
  }, 60_000);

  it('a queue announcement between the hold music is hold too: the caller is not recorded through it, and is again once the agent is back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hg-moh-announce-'));
    const recordings = join(dir, 'recordings');
    await startHoldgate(recordings, { knownMusic: ['/usr/share/asterisk/moh'] });
    const agent = agentSpeech(dir);
    const before = join(dir, 'a-before.wav');
    const music1 = join(dir, 'a-music1.wav');
    const announcement = join(dir, 'a-announce.wav');
    const music2 = join(dir, 'a-music2.wav');
    sox(agent, before, 'trim', '0', String(MUSIC_FROM_S));
    sox(MOH, '-r', '8000', '-c', '1', music1, 'trim', '40', String(ANNOUNCE_FROM_S - MUSIC_FROM_S));
    sox(join(SPEECH, 'queue-periodic-announce.wav'), announcement, 'trim', '0', '7.8');
    sox(
      MOH,
      '-r',
      '8000',
      '-c',
      '1',
      music2,
      'trim',
      '60',
      String(HOLD_TO_S - ANNOUNCE_FROM_S - 7.8),
    );
    const pbx = join(dir, 'pbx-announce.ul');
    sox(
      ...[before, music1, announcement, music2, agent, agent, agent, agent],
      ...ulaw,
      ...['-t', 'raw', pbx, 'trim', '0', String(ANNOUNCE_CALL_S)],
    );
    const caller = callerAudio(dir, MUSIC_FROM_S, HOLD_TO_S, ANNOUNCE_CALL_S);
    await streamingCall(dir, pbx, caller, ANNOUNCE_CALL_S);
    // One hold from the music's start through the announcement (the default allows 10 s) to 10 s
    // after the music's end; 2.8 s of the caller before it and some 3.7 s after.
    await expectHoldKeptOut(
      recordings,
      MUSIC_FROM_S,
      [HOLD_TO_S + 10 - 0.2, HOLD_TO_S + 10 + 0.5],
      250,
    );
  }, 90_000);

  it('a queue that opens every call with a welcome spoken over its music: learned on the first call, none of it nor the caller’s words under it recorded on the next', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hg-moh-opening-'));
    const recordings = join(dir, 'recordings');
    await startHoldgate(recordings, CLASSIFIER_ONLY);
    const welcome = join(dir, 'welcome.wav');
    const prompts = WELCOME_PROMPTS.map((n) => join(SPEECH, `${n}.wav`));
    sox(...prompts, '-r', '8000', '-c', '1', welcome, 'trim', '0', String(WELCOME_S));
    const music = join(dir, 'opening-music.wav');
    sox(MOH, '-r', '8000', '-c', '1', music, 'trim', '0', String(OPENING_S));
    const opening = join(dir, 'opening.wav');
    sox('-m', '-v', '1', welcome, '-v', String(WELCOME_MUSIC_GAIN), music, opening);
    const pbx = join(dir, 'pbx-opening.ul');
    const agent = agentSpeech(dir);
    sox(
      opening,
      agent,
      agent,
      agent,
      agent,
      ...ulaw,
      '-t',
      'raw',
      pbx,
      'trim',
      '0',
      String(OPENING_CALL_S),
    );
    const caller = waitingCaller(dir, 'opening', OPENING_S, OPENING_CALL_S);
    /** One call of the queue: its recording's private words written, and what its holds covered. */
    const call = async (n: number) => {
      await streamingCall(dir, pbx, caller, OPENING_CALL_S);
      const { meta } = await finishedRecording(recordings);
      const held = (t: number): boolean =>
        meta.holdIntervals.some((h) => h.start <= t && t < h.end);
      const { caller: left, agent: right } = decodeChannels(join(recordings, meta.audio!.file));
      const result = {
        holds: JSON.stringify(meta.holdIntervals),
        uncovered: Array.from({ length: OPENING_S * 10 }, (_, i) => i / 10).filter((t) => !held(t)),
        private: blockTimes(left, 1000, 0.05, meta.segments),
        talking: blocksWithTone(left, 440, 0.5),
        agent: meanAbs(right),
      };
      // The next call's recording is the only one in the directory.
      const kept = join(dir, `call-${n}`);
      mkdirSync(kept);
      for (const f of readdirSync(recordings)) renameSync(join(recordings, f), join(kept, f));
      return result;
    };
    // The first call: the classifier alone hears the music under the welcome only seconds in,
    // later than the delay line reaches, and its words there are written.
    const first = await call(1);
    expect(first.private.length, first.holds).toBeGreaterThan(0);
    // It learned the opening from the stream's first frame: the next call's is known music from
    // its first second, paused from the start until the agent, nothing of it written.
    const next = await call(2);
    expect(next.uncovered, next.holds).toEqual([]);
    expect(next.private, 'call times (s) of recorded blocks of the caller’s private words').toEqual(
      [],
    );
    expect(next.talking, 'the caller talking to the agent').toBeGreaterThan(100);
    expect(next.agent).toBeGreaterThan(100);
  }, 120_000);

  it.each([
    ['hold music from its first note', 'the classifier alone', 0, 'silence', MOH, CLASSIFIER_ONLY],
    [
      'silence for 3 s (Answer, Wait(3)), then hold music',
      'the classifier alone',
      3,
      'silence',
      ROBOT_DITY,
      CLASSIFIER_ONLY,
    ],
    [
      'silence for 3 s (Answer, Wait(3)), then hold music',
      'known music alone',
      3,
      'silence',
      ROBOT_DITY,
      { knownMusic: [ROBOT_DITY], classifier: false },
    ],
    [
      'no packet for 3 s, then hold music',
      'the classifier alone',
      3,
      'nothing',
      ROBOT_DITY,
      CLASSIFIER_ONLY,
    ],
  ] as const)(
    'a queue wait: the PBX answers with %s; %s keeps it and the caller’s words out',
    async (_opening, _detectors, silenceS, onWire, track, detection) => {
      const dir = mkdtempSync(join(tmpdir(), 'hg-moh-wait-'));
      const recordings = join(dir, 'recordings');
      await startHoldgate(recordings, detection);
      // The PBX: silence for silenceS (digital, as Asterisk sends it; or no packet at all), the
      // track from its start until the wait's end, then the agent talks until the caller hangs up.
      const waitS = silenceS + WAIT_S;
      const callS = silenceS + WAIT_CALL_S;
      const padS = onWire === 'silence' ? silenceS : 0;
      const music = join(dir, 'wait.wav');
      sox(track, '-r', '8000', '-c', '1', music, 'trim', '0', String(WAIT_S), 'pad', String(padS));
      const agent = agentSpeech(dir);
      // Headerless: SIPp's rtp_stream sends a file's bytes as they are, a WAV header included (one
      // loud frame at the start, which a PBX does not send).
      const pbx = join(dir, 'pbx-wait.ul');
      const pbxS = callS - silenceS + padS;
      sox(music, agent, agent, agent, ...ulaw, '-t', 'raw', pbx, 'trim', '0', String(pbxS));
      const caller = waitingCaller(dir, 'wait', waitS, callS);
      await streamingCall(dir, pbx, caller, callS, undefined, silenceS - padS);

      const { meta } = await finishedRecording(recordings);
      const holds = meta.holdIntervals;
      const held = (t: number): boolean => holds.some((h) => h.start <= t && t < h.end);
      // Paused from the call's start (the wait is hold: the classifier's stream-start look, or,
      // after silence, the silent start held until its first sound is judged, and the music
      // found meanwhile; the silent start hears the time before the PBX's first packet as
      // silence, and a hold found while it judges the start begins where the start began) …
      const uncovered = Array.from({ length: waitS * 10 }, (_, i) => i / 10).filter(
        (t) => !held(t),
      );
      expect(uncovered, JSON.stringify(holds)).toEqual([]);
      // … until the agent has been heard, and not again: the learned wait music must not hold
      // the agent's own voice (the detectors let go seconds after the music ended
      const last = holds.at(-1)!;
      expect(last.end, JSON.stringify(holds)).toBeGreaterThan(waitS);
      // (announcementSeconds, default 10: the classifier after some 10 s of voice with no music
      // under it, known music 10 s after its end).
      expect(last.end, JSON.stringify(holds)).toBeLessThan(waitS + 13);
      const { caller: left, agent: right } = decodeChannels(join(recordings, meta.audio!.file));
      expect(
        blockTimes(left, 1000, 0.05, meta.segments),
        'call times (s) of recorded blocks of the caller’s private words',
      ).toEqual([]);
      expect(musicMatchAt(right, track), 'hold music found in the recording').toBeUndefined();
      // The conversation after the wait is recorded.
      expect(blocksWithTone(left, 440, 0.5), 'the caller talking to the agent').toBeGreaterThan(
        100,
      );
      expect(meanAbs(right)).toBeGreaterThan(100);
    },
    60_000,
  );
});
