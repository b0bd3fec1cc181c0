/**
 * The hold gate of one call: decides whether the recorder fork records or pauses. The call's own
 * audio is never touched. Pure state machine: no timers, no I/O; every input carries the call
 * time in ms (0 = arrival of the caller's INVITE).
 *
 * SDP rules follow the offer/answer model of RFC 3264 (§8 "modifying the session", §8.4 "putting
 * a unicast media stream on hold") and the re-INVITE outcomes of RFC 3261 §14.1/§14.2 and
 * RFC 3311 (UPDATE):
 * - a hold offer or answer (classified by the caller: sendonly/recvonly/inactive, c=0.0.0.0,
 *   port 0) closes the gate AT ONCE — stopping early is safe;
 * - a non-hold offer/answer reopens it only when the exchange is committed (2xx + ACK, or 2xx to
 *   UPDATE);
 * - a rejected, failed or glared (491, RFC 3261 §14.1) exchange changes nothing: the per-leg state
 *   falls back to the last committed one;
 * - a refresh with unchanged hold state changes nothing; a duplicate hold is idempotent;
 * - `'unknown'` (unclassifiable SDP, unsure detector) means paused: fail closed;
 * - a gate created with `queueWait` is paused (`queue-wait`) until the wait is reported ended,
 *   once: what the caller says while waiting for an agent is hold audio too (issue 5).
 *
 * The effective SDP state of a leg is its last committed SDP plus any pending offer/answer that
 * reports hold or unknown; a failed exchange is simply forgotten, which restores the earlier
 * state even with several exchanges in flight (glare).
 */

export type Leg = 'caller' | 'pbx';
export type HoldFlag = boolean | 'unknown';
export type GateState = 'recording' | 'paused';

export const PAUSE_CAUSES = [
  'sdp-hold-caller',
  'sdp-hold-pbx',
  'music-on-hold',
  'api',
  'consent-pending',
  'consent-refused',
  'queue-wait',
  'unrecordable',
  'unknown',
] as const;
export type PauseCause = (typeof PAUSE_CAUSES)[number];

/** One change of the gate's cause set, with the state after it. `t` is call time in seconds. */
export interface GateEvent {
  t: number;
  state: GateState;
  cause: PauseCause;
  /** `set`: the cause became active; `cleared`: it ended. */
  change: 'set' | 'cleared';
  /** Every active cause after the change, in `PAUSE_CAUSES` order. */
  causes: PauseCause[];
  /** Free-text reason (API pause reason). */
  reason?: string;
}

/** A stretch during which one cause was active, in call-time seconds. */
export interface HoldInterval {
  start: number;
  end: number;
  cause: PauseCause;
}

export interface SdpReport {
  /** The side that sent this SDP: the offerer for `sdpOffer`, the answerer for `sdpAnswer`. */
  leg: Leg;
  exchangeId: string;
  hold: HoldFlag;
}

export interface MusicDetection {
  /** Call time (ms) at which the music started; may be up to `maxBackdateMs` in the past. */
  onsetMs: number;
  /** `false`: the detector suspects music but cannot decide — paused as `unknown` (fail closed). */
  confident: boolean;
}

export type ConsentState = 'pending' | 'granted' | 'refused';

export interface HoldGateOptions {
  /** How far a back-dated input may reach into the past: the delay line's D. Default 2500 ms. */
  maxBackdateMs?: number;
  /** Committed SDP hold state at creation. Default `'unknown'` for both legs (paused until the
   *  initial offer/answer is committed). */
  initialSdp?: Partial<Record<Leg, HoldFlag>>;
  /** Consent state at creation. Default `granted` (no consent policy). */
  consent?: ConsentState;
  /** Whether the negotiated codec can be recorded. Default true. */
  recordable?: boolean;
  /**
   * Paused as `queue-wait` from creation until {@link HoldGate.queueWaitEnded}: the queue's wait
   * for an agent is hold (issue 5), whatever the PBX plays in it. Default false.
   */
  queueWait?: boolean;
}

export type GateListener = (event: GateEvent) => void;

interface PendingExchange {
  offer?: { leg: Leg; hold: HoldFlag };
  answer?: { leg: Leg; hold: HoldFlag };
}

const LEGS: readonly Leg[] = ['caller', 'pbx'];

/** Per-call hold/consent gate; see the file comment for the rules. */
export class HoldGate {
  private readonly maxBackdateMs: number;
  private readonly committed: Record<Leg, HoldFlag>;
  private readonly pending = new Map<string, PendingExchange>();
  private music: 'none' | 'confident' | 'unsure' = 'none';
  private apiReason: string | undefined;
  private consentState: ConsentState;
  private isRecordable: boolean;
  private waiting: boolean;

  private readonly active = new Set<PauseCause>();
  private readonly openSince = new Map<PauseCause, number>();
  private readonly closedIntervals: HoldInterval[] = [];
  private readonly log: GateEvent[] = [];
  private readonly listeners: GateListener[] = [];
  /** State timeline for `isPausedAt`: transition times (ms) and the state from then on. */
  private readonly timelineMs: number[] = [];
  private readonly timelinePaused: boolean[] = [];
  private nowMs = 0;
  private lastEventMs = 0;

  constructor(options: HoldGateOptions = {}) {
    this.maxBackdateMs = options.maxBackdateMs ?? 2500;
    this.committed = {
      caller: options.initialSdp?.caller ?? 'unknown',
      pbx: options.initialSdp?.pbx ?? 'unknown',
    };
    this.consentState = options.consent ?? 'granted';
    this.isRecordable = options.recordable ?? true;
    this.waiting = options.queueWait ?? false;
    this.timelineMs.push(0);
    this.timelinePaused.push(false);
    this.recompute(0);
  }

  /** Current state of the recorder fork. */
  get state(): GateState {
    return this.active.size > 0 ? 'paused' : 'recording';
  }

  /** Active pause causes, in `PAUSE_CAUSES` order. */
  get causes(): PauseCause[] {
    return PAUSE_CAUSES.filter((c) => this.active.has(c));
  }

  /** Every event so far (a copy). */
  get events(): GateEvent[] {
    return this.log.slice();
  }

  /**
   * Registers a listener; a throwing listener is isolated (never unwinds the gate). With
   * `replay`, the events so far (e.g. the initial `unknown` at t = 0) are delivered first.
   */
  onEvent(listener: GateListener, replay = false): () => void {
    if (replay) for (const event of this.log) this.deliver(listener, event);
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /** An SDP offer from `leg` (RFC 3264 §8). A hold/unknown offer pauses at once. */
  sdpOffer(report: SdpReport, atMs: number): void {
    const ex = this.exchange(report.exchangeId);
    ex.offer = { leg: report.leg, hold: report.hold };
    this.recompute(atMs);
  }

  /** An SDP answer from `leg`. A hold/unknown answer pauses at once. */
  sdpAnswer(report: SdpReport, atMs: number): void {
    const ex = this.exchange(report.exchangeId);
    ex.answer = { leg: report.leg, hold: report.hold };
    this.recompute(atMs);
  }

  /** The exchange completed (2xx + ACK for INVITE, 2xx for UPDATE): its SDP becomes current. */
  exchangeCommitted(exchangeId: string, atMs: number): void {
    const ex = this.pending.get(exchangeId);
    if (ex === undefined) return;
    this.pending.delete(exchangeId);
    if (ex.offer) this.committed[ex.offer.leg] = ex.offer.hold;
    if (ex.answer) this.committed[ex.answer.leg] = ex.answer.hold;
    this.recompute(atMs);
  }

  /** The exchange was rejected, failed or glared: it changes nothing. */
  exchangeFailed(exchangeId: string, atMs: number): void {
    if (!this.pending.delete(exchangeId)) return;
    this.recompute(atMs);
  }

  /**
   * Hold music detected at `atMs`; a past onset closes the gate as of that onset, bounded by what
   * the delay line may still hold: `heldFromMs` (`DelayLine.heldFromMs`; default: D before the
   * latest time the gate was told).
   */
  musicDetected(detection: MusicDetection, atMs: number, heldFromMs?: number): void {
    const next = detection.confident ? 'confident' : 'unsure';
    if (this.music === 'confident' && next === 'unsure') return;
    this.music = next;
    this.recompute(atMs, detection.onsetMs, heldFromMs);
  }

  /**
   * Hold music ended at `atMs` (may be in the past: the delay line keeps what followed), told at
   * `nowMs` (default `atMs`): the resumption reaches no further back than the delay line holds at
   * that moment, like a detection's onset.
   */
  musicEnded(atMs: number, nowMs = atMs): void {
    if (this.music === 'none') return;
    this.music = 'none';
    this.recompute(Math.max(this.nowMs, nowMs), atMs);
  }

  /** Operator/API pause. */
  apiPause(reason: string, atMs: number): void {
    if (this.apiReason !== undefined) return;
    this.apiReason = reason;
    this.recompute(atMs);
  }

  /** Operator/API resume: clears only the API cause. */
  apiResume(atMs: number): void {
    if (this.apiReason === undefined) return;
    this.apiReason = undefined;
    this.recompute(atMs);
  }

  /** Consent outcome (interface for the consent issue). */
  consent(state: ConsentState, atMs: number): void {
    this.consentState = state;
    this.recompute(atMs);
  }

  /** Whether the call is still paused as `queue-wait` (created with `queueWait`, not yet ended). */
  get waitingInQueue(): boolean {
    return this.waiting;
  }

  /**
   * The queue wait ended at `atMs` (an agent was bridged): clears `queue-wait` for good. `atMs`
   * may lie in the past, within D; what followed it is recorded. Idempotent.
   */
  queueWaitEnded(atMs: number): void {
    if (!this.waiting) return;
    this.waiting = false;
    this.recompute(Math.max(this.nowMs, atMs), atMs);
  }

  /** Whether the negotiated codec can be recorded (not G.711 → false unless the queue allows). */
  recordable(ok: boolean, atMs: number): void {
    this.isRecordable = ok;
    this.recompute(atMs);
  }

  /**
   * Whether the recorder fork was paused at call time `tMs`, as far as known now. The delay line
   * asks this for each frame D ms after it was captured. Binary search; allocates nothing.
   */
  isPausedAt(tMs: number): boolean {
    let lo = 0;
    let hi = this.timelineMs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.timelineMs[mid]! <= tMs) lo = mid;
      else hi = mid - 1;
    }
    return this.timelinePaused[lo]!;
  }

  /** Per-cause intervals; open ones end at `endMs` (the call's end). Ordered by start. */
  holdIntervals(endMs: number): HoldInterval[] {
    const out = this.closedIntervals.slice();
    for (const [cause, start] of this.openSince) {
      out.push({ start: start / 1000, end: Math.max(start, endMs) / 1000, cause });
    }
    return out.sort((a, b) => a.start - b.start || a.end - b.end);
  }

  private exchange(id: string): PendingExchange {
    let ex = this.pending.get(id);
    if (ex === undefined) {
      ex = {};
      this.pending.set(id, ex);
    }
    return ex;
  }

  private sdpFlag(leg: Leg): HoldFlag {
    let flag = this.committed[leg];
    if (flag === true) return true;
    for (const ex of this.pending.values()) {
      for (const side of [ex.offer, ex.answer]) {
        if (side?.leg !== leg) continue;
        if (side.hold === true) return true;
        if (side.hold === 'unknown') flag = 'unknown';
      }
    }
    return flag;
  }

  private desired(): Set<PauseCause> {
    const want = new Set<PauseCause>();
    for (const leg of LEGS) {
      const flag = this.sdpFlag(leg);
      if (flag === true) want.add(leg === 'caller' ? 'sdp-hold-caller' : 'sdp-hold-pbx');
      else if (flag === 'unknown') want.add('unknown');
    }
    if (this.music === 'confident') want.add('music-on-hold');
    if (this.music === 'unsure') want.add('unknown');
    if (this.apiReason !== undefined) want.add('api');
    if (this.consentState === 'pending') want.add('consent-pending');
    if (this.consentState === 'refused') want.add('consent-refused');
    if (this.waiting) want.add('queue-wait');
    if (!this.isRecordable) want.add('unrecordable');
    return want;
  }

  /**
   * Applies the desired cause set. `effectiveMs` (back-dating) is clamped to not before the last
   * event (the timeline stays append-only) and not before what the delay line still holds
   * (`heldFromMs`; default: D before now).
   */
  private recompute(atMs: number, effectiveMs?: number, heldFromMs?: number): void {
    if (atMs > this.nowMs) this.nowMs = atMs;
    let t = effectiveMs ?? this.nowMs;
    t = Math.min(t, this.nowMs);
    t = Math.max(t, heldFromMs ?? this.nowMs - this.maxBackdateMs, this.lastEventMs, 0);
    const want = this.desired();
    for (const cause of PAUSE_CAUSES) {
      if (want.has(cause) && !this.active.has(cause)) this.change(cause, 'set', t);
    }
    for (const cause of PAUSE_CAUSES) {
      if (!want.has(cause) && this.active.has(cause)) this.change(cause, 'cleared', t);
    }
  }

  private change(cause: PauseCause, change: 'set' | 'cleared', tMs: number): void {
    const before = this.state;
    if (change === 'set') {
      this.active.add(cause);
      this.openSince.set(cause, tMs);
    } else {
      this.active.delete(cause);
      const start = this.openSince.get(cause) ?? tMs;
      this.openSince.delete(cause);
      this.closedIntervals.push({ start: start / 1000, end: tMs / 1000, cause });
    }
    this.lastEventMs = tMs;
    const state = this.state;
    if (state !== before) {
      const last = this.timelineMs.length - 1;
      if (this.timelineMs[last] === tMs) this.timelinePaused[last] = state === 'paused';
      else {
        this.timelineMs.push(tMs);
        this.timelinePaused.push(state === 'paused');
      }
    }
    const event: GateEvent = { t: tMs / 1000, state, cause, change, causes: this.causes };
    if (cause === 'api' && change === 'set' && this.apiReason !== undefined) {
      event.reason = this.apiReason;
    }
    this.log.push(event);
    for (const listener of this.listeners.slice()) this.deliver(listener, event);
  }

  private deliver(listener: GateListener, event: GateEvent): void {
    try {
      listener(event);
    } catch {
      // A throwing listener never unwinds the gate (conventions §3); the event stays in the log.
    }
  }
}
