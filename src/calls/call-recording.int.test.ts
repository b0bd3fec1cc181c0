/**
 * What the hold-music detectors of a call hear of the PBX's stream (issue 5): one frame per 20 ms
 * of the stream, a lost packet as a frame of silence, a late or duplicated one not at all. Real
 * sockets, a real media worker and its taps; a detector that only writes down what it is fed.
 */
import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { validateConfig } from '../config/load-config.js';
import type { HoldDecision, HoldMusicDetector } from '../detect/types.js';
import { ulawEncode } from '../media/g711/index.js';
import { MediaController } from '../media/relay/index.js';
import { writeRtpHeader } from '../media/rtp/index.js';
import { parseSdp } from '../sdp/index.js';
import { SilentStartDetector } from '../detect/silent-start/index.js';
import { silentLogger } from '../shared/logger.js';
import { CallRecording } from './call-recording.js';
import { POLL_MS } from './poll-timing.js';

const RELAY = '127.0.0.175';
const CALLER = '127.0.0.176';
const PBX = '127.0.0.177';

/**
 * Writes down each frame it is fed: its call time and whether it holds any sound. Fed the silence
 * before the PBX's first packet if `hearsSilenceBeforeStream`.
 */
class FrameLog implements HoldMusicDetector {
  readonly frames: { t: number; sound: boolean }[] = [];
  readonly stateBytes = 0;
  constructor(readonly hearsSilenceBeforeStream = false) {}
  push(frame: Int16Array, callTimeMs: number): HoldDecision | undefined {
    this.frames.push({ t: callTimeMs, sound: frame.some((v) => v !== 0) });
    return undefined;
  }
  reset(): void {}
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function bound(address: string): Promise<Socket> {
  const s = createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, address, resolve));
  return s;
}

let media: MediaController;
const sockets: Socket[] = [];

/** 20 ms of a 1 kHz tone, µ-law. */
const TONE = Uint8Array.from({ length: 160 }, (_, i) =>
  ulawEncode(Math.round(8000 * Math.sin((i * Math.PI) / 4))),
);

/**
 * A relayed call with a PBX socket, and its recording (`recording` config over the defaults)
 * whose detectors are `detectors`; `told` gets what the call tells them a decision reaches.
 */
async function openCall(
  callId: string,
  recordingConfig: Record<string, unknown>,
  detectors: HoldMusicDetector[],
) {
  const caller = await bound(CALLER);
  const pbx = await bound(PBX);
  sockets.push(caller, pbx);
  const session = await media.createSession({
    callId,
    legs: { caller: { localAddress: RELAY }, pbx: { localAddress: RELAY } },
  });
  await media.setRemote(session.sessionId, 'caller', {
    address: CALLER,
    rtpPort: caller.address().port,
  });
  await media.setRemote(session.sessionId, 'pbx', { address: PBX, rtpPort: pbx.address().port });
  const config = validateConfig({
    recording: { dir: mkdtempSync(join(tmpdir(), `hg-${callId}-`)), ...recordingConfig },
  }).recording;
  const told: number[] = [];
  const recording = await CallRecording.open({
    controller: media,
    sessionId: session.sessionId,
    recordingId: callId,
    callId,
    queue: 'care',
    from: 'sip:caller@example.com',
    to: 'sip:care@example.com',
    startedAtMs: Date.now(),
    config,
    detectors: (reachMs) => {
      told.push(reachMs);
      return detectors;
    },
    logger: silentLogger(),
  });
  // The call is set up, not on hold: only what the detectors decide pauses it.
  const sdp = (address: string): string =>
    `v=0\r\no=- 1 1 IN IP4 ${address}\r\ns=-\r\nc=IN IP4 ${address}\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\na=sendrecv\r\n`;
  recording.sdp('caller', 'offer', parseSdp(sdp(CALLER)));
  recording.sdp('pbx', 'answer', parseSdp(sdp(PBX)));
  recording.settle(true);
  /**
   * Sends the tone as `leg`'s frames `order` (their indices, in the order they arrive), at the
   * pace of the stream: a burst would arrive ahead of its timestamps, and the sampling clock
   * would place it by its arrival.
   */
  const sendTone = async (
    order: readonly number[],
    ssrc: number,
    leg: 'pbx' | 'caller' = 'pbx',
  ): Promise<void> => {
    const from = leg === 'pbx' ? pbx : caller;
    const to = leg === 'pbx' ? session.pbx.rtpPort : session.caller.rtpPort;
    const started = performance.now();
    for (const f of order) {
      const wait = started + f * 20 - performance.now();
      if (wait > 1) await sleep(wait);
      const packet = Buffer.alloc(172);
      writeRtpHeader(packet, { payloadType: 0, sequence: f, timestamp: 4000 + f * 160, ssrc });
      packet.set(TONE, 12);
      from.send(packet, to, RELAY);
    }
  };
  return { session, config, recording, told, sendTone };
}

beforeAll(async () => {
  media = await MediaController.start({
    portMin: 31000,
    portMax: 31099,
    workers: 1,
    tickMs: 20,
    mediaTimeoutMs: 60_000,
    quarantineMs: 0,
  });
});

afterAll(async () => {
  for (const s of sockets) s.close();
  await media.close();
});

it('hears a lost frame of the PBX as silence, a late or duplicated one not at all, and tells its detectors what a decision reaches', async () => {
  const log = new FrameLog();
  const { session, config, recording, told, sendTone } = await openCall('gaps', {}, [log]);
  // The tone, 20 frames in the order they arrive: frame 5 lost, 9 reordered behind 10 (which
  // then counts it lost), 12 duplicated.
  await sendTone([0, 1, 2, 3, 4, 6, 7, 8, 10, 9, 11, 12, 12, 13, 14, 15, 16, 17, 18, 19], 0x5eed);
  for (let i = 0; i < 100 && log.frames.length < 20; i++) {
    await sleep(20);
    recording.poll();
  }
  await recording.close();
  await media.destroySession(session.sessionId);

  // One frame per frame of the stream, in its order (placed by the sampling clock, which moves
  // its anchor to a packet that arrives ahead of it: a few ms, not a frame), silence where one
  // was lost and where the late one belonged.
  expect(log.frames).toHaveLength(20);
  const steps = log.frames.slice(1).map((f, k) => f.t - log.frames[k]!.t);
  expect(Math.min(...steps), steps.join()).toBeGreaterThan(10);
  expect(Math.max(...steps), steps.join()).toBeLessThan(30);
  expect(log.frames.flatMap((f, k) => (f.sound ? [] : [k]))).toEqual([5, 9]);
  // The detectors time their provisional pauses against D less a poll: the poll's worth is left
  // for a frame that arrives late.
  expect(told).toEqual([config.delaySeconds * 1000 - POLL_MS]);
});

/** Decides hold on its `at`-th frame, from its first frame on, and never lets go. */
class HoldFromFirstFrame implements HoldMusicDetector {
  readonly stateBytes = 0;
  private frames = 0;
  private firstMs = 0;
  constructor(private readonly at: number) {}
  push(_frame: Int16Array, callTimeMs: number): HoldDecision | undefined {
    if (this.frames === 0) this.firstMs = callTimeMs;
    if (++this.frames !== this.at) return undefined;
    return { state: 'hold', onsetMs: this.firstMs, cause: 'test', confident: true };
  }
  reset(): void {}
}

it('a poll that comes late still reaches D back: the detectors judge what arrived before anything is released', async () => {
  // Hold decided on the 21st frame, from the first: 400 ms back, inside what the call tells its
  // detectors a decision reaches (D less a poll, 480 ms).
  const { session, recording, told, sendTone } = await openCall(
    'late-poll',
    { delaySeconds: 0.5 },
    [new HoldFromFirstFrame(21)],
  );
  recording.poll();
  // 40 frames of the PBX's music (a tone) at the pace of the stream, and no poll meanwhile: a
  // busy event loop, 800 ms late.
  await sendTone(
    Array.from({ length: 40 }, (_, f) => f),
    0x1a7e,
  );
  await sleep(60);
  recording.poll();
  const meta = await recording.close();
  await media.destroySession(session.sessionId);

  expect(told).toEqual([500 - POLL_MS]);
  // The music paused the call from its first frame, and none of its 40 frames is written.
  const pauses = meta.gateEvents.filter((e) => e.change === 'set' && e.cause !== 'unknown');
  expect(
    pauses.map((e) => e.cause),
    JSON.stringify(meta.gateEvents),
  ).toEqual(['music-on-hold']);
  expect(meta.frames.agent, JSON.stringify(meta.gateEvents)).toBe(0);
  expect(meta.frames.discarded + meta.frames.agent).toBeLessThanOrEqual(40);
});

/**
 * The caller's tone for `frames` frames at the pace of the stream, the PBX's from its frame
 * `pbxFrom` on (none if absent), the call polled every 20 ms meanwhile, as the hub polls it.
 */
async function talk(
  call: Awaited<ReturnType<typeof openCall>>,
  frames: number,
  pbxFrom?: number,
): Promise<void> {
  const timer = setInterval(() => call.recording.poll(), POLL_MS);
  const span = (from: number): number[] =>
    Array.from({ length: frames - from }, (_, f) => from + f);
  await Promise.all([
    call.sendTone(span(0), 0xca11, 'caller'),
    // Paced from the call's frame 0: the PBX's first packet comes `pbxFrom` frames after it.
    pbxFrom === undefined ? undefined : call.sendTone(span(pbxFrom), 0x9b0),
  ]);
  // The last packets reach the taps.
  await sleep(60);
  clearInterval(timer);
}

it('hears silence before the PBX’s first packet: a PBX that sends nothing keeps the caller’s words out from the start', async () => {
  // D = 0.5 s; the caller talks for 1.5 s, and the PBX sends nothing.
  const call = await openCall('pbx-mute', { delaySeconds: 0.5 }, [
    new SilentStartDetector(500 - POLL_MS),
  ]);
  await talk(call, 75);
  const meta = await call.recording.close();
  await media.destroySession(call.session.sessionId);

  // Fed only the PBX's frames, the detectors heard nothing and all 75 frames were written.
  const events = JSON.stringify(meta.gateEvents);
  expect(meta.frames.caller, events).toBe(0);
  // Paused (unsure, `unknown`) until the SDP answer, then by the silent start from the answer to
  // the end of the call.
  expect(
    meta.gateEvents.map((e) => `${e.change} ${e.cause}`),
    events,
  ).toEqual(['set unknown', 'cleared unknown', 'set unknown']);
  expect(meta.gateEvents[2]!.t).toBe(meta.gateEvents[1]!.t);
});

it('hears silence before the PBX’s first packet, then the stream: a PBX that talks first gives the caller’s words back whole', async () => {
  // D = 2.5 s; the caller talks for 3 s, the PBX from 0.4 s on: its start is sound (judged at
  // some 2.1 s, before the silence from the answer reached the delay line's exit).
  const log = new FrameLog(true);
  const streamOnly = new FrameLog();
  const call = await openCall('pbx-late', {}, [
    new SilentStartDetector(2500 - POLL_MS),
    log,
    streamOnly,
  ]);
  await talk(call, 150, 20);
  const meta = await call.recording.close();
  await media.destroySession(call.session.sessionId);

  const events = JSON.stringify(meta.gateEvents);
  // Every frame of both reached the recording (the file's slots may discard one that a timer's
  // burst put on the same slot as its neighbour: not the gate's doing).
  expect(meta.frames.caller + meta.frames.agent + meta.frames.discarded, events).toBe(280);
  // The detectors that hear it (the silent start) heard some 0.4 s of silence from the answer,
  // then every frame of the PBX's stream, one per 20 ms, with no overlap where one gives way to
  // the other; the others heard the stream alone.
  expect(streamOnly.frames).toHaveLength(130);
  expect(streamOnly.frames.every((f) => f.sound)).toBe(true);
  const firstSound = log.frames.findIndex((f) => f.sound);
  expect(firstSound).toBeGreaterThan(15);
  expect(firstSound).toBeLessThan(25);
  expect(log.frames.slice(firstSound).every((f) => f.sound)).toBe(true);
  expect(log.frames).toHaveLength(firstSound + 130);
  const steps = log.frames.slice(1).map((f, k) => f.t - log.frames[k]!.t);
  expect(Math.min(...steps), steps.join()).toBeGreaterThan(10);
  expect(Math.max(...steps), steps.join()).toBeLessThan(40);
});
