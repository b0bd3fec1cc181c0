import type { Logger } from '../shared/logger.js';
import type { RecordingConfig } from '../config/schema.js';
import { AnyHold } from '../detect/any-hold.js';
import type { HoldDecision, HoldMusicDetector } from '../detect/types.js';
import { DelayLine, HoldGate, tellGateMusic, type Direction, type Leg } from '../gate/index.js';
import type { MediaController, TapReader } from '../media/relay/index.js';
import { FrameGaps, SamplingClock } from '../media/rtp/index.js';
import { FileRecorder, type RecordingMetadata } from '../recorder/index.js';
import { HoldAudioLearner } from './hold-audio-learner.js';
import { decisionReachMs, POLL_MS } from './poll-timing.js';
import { holdState, type Sdp } from '../sdp/index.js';

/** Tap direction → recorder channel: the caller's own voice is `caller`, what the caller hears is `agent`. */
const TAPS: readonly [Direction, 'caller-to-pbx' | 'pbx-to-caller'][] = [
  ['caller', 'caller-to-pbx'],
  ['agent', 'pbx-to-caller'],
];

/** At a source change, what the learner keeps ends this long before it (the classifier's lag). */
const SOURCE_CHANGE_LEARN_MARGIN_MS = 3000;

export interface CallRecordingInit {
  controller: MediaController;
  sessionId: string;
  recordingId: string;
  callId: string;
  queue: string;
  from: string;
  to: string;
  /** Epoch ms of call time 0 (the caller's INVITE arrived). */
  startedAtMs: number;
  config: Readonly<RecordingConfig>;
  /**
   * Fresh hold-music detectors for this call, given how far back from a frame a decision on it
   * still reaches (ms: its delay line D less a poll, `decisionReachMs`), run on what the caller
   * hears (issue 5); absent: SDP hold only.
   */
  detectors?: (delayLineMs: number) => readonly HoldMusicDetector[];
  /** Where audio the classifier judged hold is learned (issue 5, Build item 3). */
  learn?: (name: string, pcm: Int16Array, musicFromSample?: number) => void;
  /** Told how long after the music's onset each detection came (for the latency metric). */
  onHoldDetected?: (cause: string, latencySeconds: number) => void;
  /** The queue's consent policy (issue 6); anything but `none` starts the gate `consent-pending`. */
  consentPolicy?: string;
  /**
   * The queue's `detection.queueWait` is `until-new-source`: paused (`queue-wait`) from the start
   * until what the caller hears comes from a new RTP source (see {@link CallRecording}).
   */
  queueWaitUntilNewSource?: boolean;
  logger: Logger;
}

/**
 * One call's recording fork (issue 4): taps → delay line → file recorder, judged by the hold gate.
 * SDP offers and answers feed the gate (a hold offer pauses at once, a resume counts only when
 * committed); frames are stamped with the call time at which they were sampled, from their RTP
 * timestamps ({@link SamplingClock}), so jitter, or a late burst of words spoken during a hold,
 * does not move them. The call's own audio is never touched: this only reads the taps.
 */
export class CallRecording {
  readonly gate: HoldGate;
  readonly #init: CallRecordingInit;
  readonly #recorder: FileRecorder;
  readonly #delay: DelayLine;
  readonly #taps: (readonly [Direction, TapReader])[];
  readonly #frame = new Int16Array(160);
  /** What the detectors hear of a lost frame of the PBX's stream (see `#detectGaps`). */
  readonly #silence = new Int16Array(160);
  readonly #agentGaps = new FrameGaps();
  readonly #clocks: Record<Direction, SamplingClock> = {
    caller: new SamplingClock(),
    agent: new SamplingClock(),
  };
  #exchange = 0;
  #discarded: Promise<void> | undefined;
  #closed: Promise<RecordingMetadata> | undefined;
  readonly #detectors: readonly HoldMusicDetector[];
  /** The detectors as one: the gate hears "music" while any says hold. */
  readonly #anyHold: AnyHold;
  /** The hold in effect is a provisional pause only (no detector has decided it yet). */
  #provisionalOnly = false;
  readonly #learner: HoldAudioLearner | undefined;
  /** SSRC of what the caller hears, and the one before it (a straggler of it is no new source). */
  #agentSsrc: number | undefined;
  #priorAgentSsrc: number | undefined;
  /**
   * Before the PBX's first packet: the call time of the next frame of silence the detectors hear
   * (see `#hearSilenceBeforePbx`), from the first SDP answer or the caller's first frame; `null`
   * once the PBX's stream has begun, or from the start if no detector hears it.
   */
  #silenceNextMs: number | undefined | null;

  private constructor(
    init: CallRecordingInit,
    recorder: FileRecorder,
    taps: (readonly [Direction, TapReader])[],
  ) {
    this.#init = init;
    this.#recorder = recorder;
    this.#taps = taps;
    const delayMs = Math.round(init.config.delaySeconds * 1000);
    const policy = init.consentPolicy ?? 'none';
    this.gate = new HoldGate({
      maxBackdateMs: delayMs,
      consent: policy === 'none' ? 'granted' : 'pending',
      queueWait: init.queueWaitUntilNewSource ?? false,
    });
    this.gate.onEvent((e) => recorder.gateEvent(e), true);
    this.#delay = new DelayLine(this.gate, recorder, { delayMs });
    this.#detectors = init.detectors?.(decisionReachMs(delayMs)) ?? [];
    this.#anyHold = new AnyHold(this.#detectors);
    if (!this.#detectors.some((d) => d.hearsSilenceBeforeStream)) this.#silenceNextMs = null;
    // Learning holds back as much as the slowest detector's release can reach into the past.
    const releaseLagMs = Math.max(0, ...this.#detectors.map((d) => d.releaseLagMs ?? 0));
    this.#learner = init.learn
      ? new HoldAudioLearner(
          `${init.queue}/${init.callId}`,
          init.learn,
          Math.ceil(releaseLagMs / 1000),
        )
      : undefined;
  }

  static async open(init: CallRecordingInit): Promise<CallRecording> {
    const recorder = await FileRecorder.open({
      dir: init.config.dir,
      id: init.recordingId,
      callId: init.callId,
      queue: init.queue,
      from: init.from,
      to: init.to,
      startedAt: new Date(init.startedAtMs),
      format: init.config.format,
      pauseBehaviour: init.config.pauseBehaviour,
      delayMs: Math.round(init.config.delaySeconds * 1000),
      retentionDays: init.config.retentionDays,
      consentPolicy: init.consentPolicy ?? 'none',
      logger: init.logger,
    });
    const taps = await Promise.all(
      TAPS.map(
        async ([direction, tap]) =>
          [direction, await init.controller.openTap(init.sessionId, tap)] as const,
      ),
    );
    return new CallRecording(init, recorder, taps);
  }

  get status(): string {
    return this.#recorder.status;
  }

  #now(): number {
    return Date.now() - this.#init.startedAtMs;
  }

  /** An SDP offer or answer crossed the call (RFC 3264): its hold state goes to the gate. */
  sdp(from: Leg, kind: 'offer' | 'answer', sdp: Sdp): void {
    const held = holdState(sdp).held;
    const t = this.#now();
    if (kind === 'answer') this.#mediaMayFlow(t);
    if (kind === 'offer') {
      this.#exchange += 1;
      this.gate.sdpOffer({ leg: from, exchangeId: String(this.#exchange), hold: held }, t);
    } else {
      this.gate.sdpAnswer({ leg: from, exchangeId: String(this.#exchange), hold: held }, t);
    }
  }

  /** Operator pause of the recording fork (cause `api`), effective now. */
  apiPause(reason: string): void {
    this.gate.apiPause(reason, this.#now());
  }

  apiResume(): void {
    this.gate.apiResume(this.#now());
  }

  /**
   * Consent settled (issue 6): granted opens the `consent-pending` pause from now on (nothing
   * before it, the announcement window included, is recorded); the record goes to the metadata.
   */
  consentGranted(outcome: string, record: Record<string, unknown>): void {
    const t = this.#now();
    this.#recorder.consentOutcome(outcome, t, record);
    this.gate.consent('granted', t);
  }

  /**
   * Consent refused or withdrawn (issue 6, Build 3): the gate closes at once, the taps are no
   * longer read, and the spool, metadata and any audio are deleted. Idempotent.
   */
  discard(): Promise<void> {
    if (this.#discarded === undefined) {
      this.gate.consent('refused', this.#now());
      this.#discarded = this.#recorder.discard();
    }
    return this.#discarded;
  }

  get discarded(): boolean {
    return this.#discarded !== undefined;
  }

  /** The offer/answer exchange in flight was committed (2xx + ACK, 2xx to UPDATE) or failed. */
  settle(committed: boolean): void {
    const id = String(this.#exchange);
    if (committed) this.gate.exchangeCommitted(id, this.#now());
    else this.gate.exchangeFailed(id, this.#now());
  }

  /**
   * Drain the taps into the delay line, run the detectors on what the caller hears, and only then
   * release what is older than D. Called every 20 ms (`POLL_MS`).
   *
   * Releasing last (issue 5, stop 39) makes a decision reach every frame the line held since the
   * previous poll's release, D before that poll, however late this poll comes: a frame on time
   * is reached D back from its own time. Released as each frame was taken in (before), a poll
   * that came X ms late had already let out X ms more than D before the frames it then judged,
   * and a decision on them reached only D less a poll less X back: a busy event loop wrote the
   * start of hold music that the detectors had timed to the delay line.
   */
  poll(): void {
    if (this.#discarded !== undefined) return;
    const now = this.#now();
    for (const [direction, tap] of this.#taps) {
      for (;;) {
        const meta = tap.read(this.#frame);
        if (meta === null) break;
        const arrival = meta.arrivalMs - this.#init.startedAtMs;
        const t = this.#clocks[direction].callTimeMs(meta.rtpTimestamp, meta.ssrc, arrival);
        if (direction === 'caller') this.#mediaMayFlow(t);
        else {
          this.#hearSilenceBeforePbx(t - 20, now);
          this.#silenceNextMs = null;
          if (meta.ssrc !== this.#agentSsrc) {
            if (this.#agentSsrc !== undefined && meta.ssrc !== this.#priorAgentSsrc) {
              this.#newSource(t);
            }
            this.#priorAgentSsrc = this.#agentSsrc;
            this.#agentSsrc = meta.ssrc;
          }
          this.#detectGaps(meta.rtpTimestamp, meta.samples, meta.ssrc, t, now);
        }
        this.#delay.accept(direction, t, this.#frame);
      }
    }
    this.#hearSilenceBeforePbx(now - POLL_MS, now);
    this.#delay.release(now);
  }

  /** Media may flow from call time `t` on (an SDP answer, or the caller's first frame). */
  #mediaMayFlow(t: number): void {
    if (this.#silenceNextMs === undefined) this.#silenceNextMs = t;
  }

  /**
   * Until the PBX's first packet, the detectors that ask for it (`hearsSilenceBeforeStream`: the
   * silent start) hear silence, one frame per 20 ms, from when media may flow (the first SDP
   * answer, or the caller's first frame if sooner) up to `lastMs` (issue 5, stop 40): what the
   * caller hears then. Fed only the PBX's frames (before), the silent start judged the stream
   * from its first packet, so what the caller said between the answer and that packet was
   * written (in a CI run SIPp's first packet came 0.23 s after the answer), and all of it when a
   * PBX sent nothing for longer than D. Now the stream's start is the answer: a queue wait that
   * opens with nothing on the wire is paused from there like one that opens with silence on it,
   * a hold found while the start is judged begins there (`AnyHold`), and a PBX that speaks first
   * (judged sound) gives it all back. The other detectors hear the stream from its first packet,
   * as they were trained and tuned (the classifier's stream-start look). Each poll feeds it up to
   * a poll before now, so that the PBX's first frame, read at a later poll and placed at its
   * arrival, comes after the last of it; that frame first has it fed up to a frame before it.
   */
  #hearSilenceBeforePbx(lastMs: number, now: number): void {
    let t = this.#silenceNextMs;
    if (t === undefined || t === null || t > lastMs) return;
    for (; t <= lastMs; t += 20) this.#detect(this.#silence, t, now, true);
    this.#silenceNextMs = t;
  }

  /**
   * The frame of what the caller hears now (`#frame`, at call time `frameMs`) goes to the
   * detectors after a frame of silence for each frame of the stream lost right before it
   * (`FrameGaps`: up to 200 ms); a late one (reordered, duplicated) goes to them not at all. The
   * detectors thus hear one frame per 20 ms of the stream, as every bench and the classifier's
   * training render lost packets (frames zeroed: `dropFrames`, `channel`), and as their windows
   * and frame offsets count time. Fed only what came (before issue 5, stop 37), they heard the
   * music go on a frame early at each loss, a way of feeding them that `npm run bench -- moh`
   * never measured. Measured so (its all-zero frames skipped, 1 % of frames lost): the
   * development corpus's `macroform-cold_day-1` leaks 2.54 s with the classifier alone and
   * 0.16 s with known music, and `audio-track7` 0.02 s on both unseen renders, none of which
   * leak as the benches feed them; the second unseen render's `hr3-jungle` leaks nothing instead
   * of 2.2 s. The point is that the figures describe what a call does, more than the figures.
   */
  #detectGaps(rtpTimestamp: number, samples: number, ssrc: number, t: number, now: number): void {
    const lost = this.#agentGaps.lostBefore(rtpTimestamp, samples, ssrc);
    if (lost < 0) return;
    for (let k = lost; k > 0; k--) this.#detect(this.#silence, t - k * 20, now);
    this.#detect(this.#frame, t, now);
  }

  /**
   * Run the hold-music detectors on one frame of what the caller hears. A detected onset may lie
   * in the past: the delay line still holds those frames, so the cut lands on the onset.
   */
  #detect(frame: Int16Array, frameMs: number, now: number, beforeStream = false): void {
    if (!beforeStream) this.#learner?.frame(frame, frameMs);
    for (let i = 0; i < this.#detectors.length; i++) {
      const detector = this.#detectors[i]!;
      if (beforeStream && detector.hearsSilenceBeforeStream !== true) continue;
      const decision = detector.push(frame, frameMs);
      if (decision) {
        this.#learner?.decision(decision);
        this.#decide(i, decision, now);
      }
    }
  }

  /**
   * A new synchronization source on what the caller hears (RFC 3550 §8.2: an SSRC change is a new
   * source). Asterisk bridges a caller to the agent who answers a queue this way, after the queue
   * wait's music (see the field notes); an unhold in the same call keeps the SSRC. The detectors
   * judged the old source: they start over on the new one (the classifier's stream-start look
   * included), and a hold they kept ends here instead of after `announcementSeconds`. Hold music
   * on the new source is found again from its onset, inside the delay line.
   * On a queue whose wait lasts until a new source (`detection.queueWait: until-new-source`), the
   * first one ends the `queue-wait` pause: the agent is on the line from that frame on, and
   * nothing the caller said before it, whatever the PBX played (music, a voice over it, silence,
   * an IVR), is recorded.
   */
  #newSource(t: number): void {
    this.gate.queueWaitEnded(t);
    for (const detector of this.#detectors) detector.reset();
    // The classifier's hold may have been letting go on a voice for some seconds: learn only up
    // to where it surely heard music, as its own releases do.
    this.#learner?.sourceChanged(t - SOURCE_CHANGE_LEARN_MARGIN_MS);
    const holding = this.#anyHold.holding;
    this.#anyHold.reset();
    this.#provisionalOnly = false;
    if (holding) this.gate.musicEnded(t);
  }

  #decide(index: number, decision: HoldDecision, now: number): void {
    const wasHolding = this.#anyHold.holding;
    const d = this.#anyHold.decide(index, decision);
    if (d === undefined) return;
    if (d.state === 'hold') {
      // A provisional pause is not a detection: the episode's first decided hold is.
      const undecided = !wasHolding || this.#provisionalOnly;
      if (undecided && !d.provisional)
        this.#init.onHoldDetected?.(d.cause, (now - d.onsetMs) / 1000);
      this.#provisionalOnly = undecided && d.provisional === true;
    } else {
      this.#provisionalOnly = false;
    }
    tellGateMusic(this.gate, d, now, this.#delay.heldFromMs);
  }

  /** End of call: flush the delay line and finalize (ffmpeg). Idempotent. */
  close(): Promise<RecordingMetadata> {
    this.#closed ??= (async () => {
      if (this.#discarded !== undefined) return this.#recorder.close(this.#now());
      this.poll();
      if (this.gate.waitingInQueue) {
        // The caller left the queue, or the PBX bridged the agent on the same SSRC: then this
        // queue's queueWait setting keeps every call out of the recording.
        this.#init.logger.info(
          { callId: this.#init.callId, queue: this.#init.queue },
          'call ended in its queue wait (no new RTP source from the PBX): none of it recorded',
        );
      }
      this.#learner?.close();
      this.#delay.flush();
      return this.#recorder.close(this.#now());
    })();
    return this.#closed;
  }
}
