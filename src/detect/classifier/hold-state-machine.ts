/** Tuning of the hold state machine; all times in ms. */
export interface HoldStateOptions {
  /** Smoothing time constant of the score (EMA) before the evidence sums, ms (≤ 20: none). */
  readonly smoothMs: number;
  /** Frames scoring above this add (score − enterScore) to the evidence for hold. */
  readonly enterScore: number;
  /**
   * Evidence needed to enter hold, as the time a score of 1 takes to gather it. Default 500: the
   * shortest (in 100 ms steps) with no false pause of speech on the development corpus's three
   * renders (400 paused one monologue); 600 until issue 5, stop 22.
   */
  readonly enterMs: number;
  /** A hold entered while the smoothed score never reached this is reported `confident: false`. */
  readonly confidentScore: number;
  /** Frames scoring below this add (exitScore − score) to the evidence against hold. */
  readonly exitScore: number;
  /** Evidence needed to leave hold, as the time a score of 0 takes to gather it. */
  readonly exitMs: number;
  /**
   * In hold, a run of this long with the score at or above `confidentScore` voids the evidence
   * against hold gathered so far (0: never). Music heard for sure affirms the hold: an
   * announcement before it must not count towards letting go in a quiet passage after it.
   */
  readonly affirmMs: number;
  /**
   * In hold, frames of a voice with the hold's music still under it (a voice-over, as the
   * detector reports in `push`'s `musicUnder`) add no evidence against hold, for up to this long
   * in all until the next confident music (0: they count as any voice). Bounded: a radio behind an agent
   * can look like the music went on, and then costs at most this much more of the agent.
   */
  readonly voiceOverMs: number;
  /**
   * A state's onset is where its evidence last rose from zero, backdated by this much more (the
   * 1 s window features lag the audio).
   */
  readonly enterBackdateMs: number;
  /** With `resumeAtChangePoint`: a release's onset is backdated by this much more. */
  readonly exitBackdateMs: number;
  /**
   * Whether a release (no-hold) is reported from the exit CUSUM's change point (backdated like
   * an entry) or from the frame that decides it (false, the default). The change point cannot
   * tell an agent who starts talking from a long queue announcement or a sparse passage of
   * music that the classifier gives up on; on such a false release, resuming at the change point
   * would write up to the whole delay line of hold audio. Resuming at the decision loses that
   * much more agent speech on a true release instead (issue 5: no leaked hold audio comes first).
   */
  readonly resumeAtChangePoint: boolean;
  /**
   * The delay line D that the decisions feed (0: no provisional pauses). Out of hold, once the
   * onset a hold decided now would get (`pendingOnsetMs`) reaches the frame leaving the delay
   * line, a frame scoring at least `confidentScore` with at least {@link PROVISIONAL_EVIDENCE} of
   * the entry evidence gathered pauses at once, `confident: false` and `provisional`: the hold
   * may come too late for the delay line to cover its start. The pause ends, at its own onset,
   * when the entry evidence is spent without a hold, or becomes that hold.
   */
  readonly delayLineMs: number;
}

/**
 * The share of the entry evidence (`enterMs`) that a provisional pause needs (see
 * `HoldStateOptions.delayLineMs`), with a frame scoring `confidentScore` or more: the hold is on
 * its way, not a blip. Measured (issue 5, stop 31), D = 2.5 s: a provisional pause on any frame of
 * pending evidence whose onset reached the delay line's exit paused the unseen corpus's agent speech
 * 22 more times (0.5 s each); with a frame of 0.8 or more, 6 more; with half the evidence as well,
 * none, on both corpora's speech, for the same leaks saved on `npm run bench -- moh --unseen`
 * and most of those on `npm run bench -- learning --unseen` (see the detector's note).
 */
export const PROVISIONAL_EVIDENCE = 0.5;

export const DEFAULT_HOLD_STATE_OPTIONS: HoldStateOptions = {
  smoothMs: 0,
  enterScore: 0.4,
  enterMs: 500,
  confidentScore: 0.8,
  exitScore: 0.4,
  exitMs: 9000,
  affirmMs: 600,
  voiceOverMs: 5000,
  enterBackdateMs: 2000,
  exitBackdateMs: 600,
  resumeAtChangePoint: false,
  delayLineMs: 0,
};

/**
 * The exit evidence that spans a queue announcement of `seconds` (speech with no music under it)
 * without letting go: the score takes about a second to fall once the voice begins, so a second
 * less than the announcement; at least 1 s, or brief speech-like passages would end a hold.
 */
export function exitMsForAnnouncement(seconds: number): number {
  return Math.max(1000, Math.round(seconds * 1000) - 1000);
}

/** What the state machine reports on a change (state or confidence). */
export interface HoldTransition {
  readonly state: 'hold' | 'no-hold';
  readonly onsetMs: number;
  readonly confident: boolean;
  /** A release only: where the exit CUSUM last left zero (its change point), not backdated. */
  readonly changePointMs?: number;
  /**
   * A provisional pause (see `HoldStateOptions.delayLineMs`) or its end: the evidence for a hold
   * reached the delay line's exit before a hold was decided, or was spent without one.
   */
  readonly provisional?: true;
}

/**
 * Hold/no-hold over a per-frame music score (issue 5, Build 2), as two CUSUM change detectors
 * (Page 1954): out of hold, S ← max(0, S + score − enterScore) and hold begins when S reaches
 * the evidence of `enterMs` of certain music; in hold, E ← max(0, E + exitScore − score) and
 * hold ends when E reaches the evidence of `exitMs` of certain speech. Strong evidence decides
 * fast, weak evidence slowly, and brief blips (a sung-like vowel, a click of music) decay
 * instead of resetting a timer. A queue announcement between music is speech with no music under
 * it, and the caller is still on hold: `exitMs` is set from the queue's `announcementSeconds`
 * ({@link exitMsForAnnouncement}), so that an agent who goes on talking ends the hold about as long
 * after the voice began as known music's hold-over ends it after the music stopped. The default,
 * 9 s of evidence, spans announcements of about 10 s (the score takes a second to fall) and costs
 * the agent some 10 s of speech at the end of every hold (`npm run bench -- moh`: agent speech lost
 * per release). A sparse or quiet passage of music that the model does not hear as music counts
 * as evidence too; each false release writes hold audio until the music is found again.
 * The exit sum has a memory: music between two announcements, or before a quiet passage, lowers
 * it only by (score − exitScore) per frame, so what an announcement gathered can still count
 * seconds later. A run of `affirmMs` of confident music therefore clears it (issue 5, stop 17:
 * `macroform-cold_day` let go 9 s into a quiet passage with a sum carried over from an
 * announcement 5 s before; with the clearing the corpus's test episodes leak nothing on three
 * renders, and nothing else in `npm run bench -- moh [--unseen]` moved).
 * A voice-over (a PBX announcement mixed over its music) scores as speech when the music lies far
 * under the voice, yet the caller is still on hold. The detector tells the machine when the hold's
 * music still fills the voice's pauses (`HoldMusicFloor`); those frames then add no evidence
 * against hold, for `voiceOverMs` (5 s) at most until music is heard for sure again (issue 5,
 * stop 18: on the unseen corpus both voice-overs inside a hold that leaked no longer do; a radio
 * behind an agent can pass for such music and then costs up to that much more of the agent).
 * The onset of a hold is the CUSUM's own change-point estimate, where its sum last left zero,
 * less the feature lag; the delay line covers the past. A release takes effect where it is
 * decided (see `resumeAtChangePoint`).
 * A hold entered in the grey zone is `confident: false`; a later confident score upgrades it
 * (reported as a transition with the same state).
 */
export class HoldStateMachine {
  private readonly o: HoldStateOptions;
  private readonly alpha: number;
  private readonly enterEvidence: number;
  private readonly exitEvidence: number;
  private smoothed = 0;
  private started = false;
  private holding = false;
  private confident = true;
  /** Evidence sum of the detector that is running (for hold out of hold, against it in hold). */
  private sum = 0;
  /** Time at which `sum` last left zero. */
  private riseMs = 0;
  private runPeak = 0;
  /** Consecutive frames in hold with the score ≥ confidentScore. */
  private confidentRun = 0;
  private readonly affirmFrames: number;
  private readonly voiceOverFrames: number;
  /** Frames in this hold, since the last confident one, that a voice-over kept from the sum. */
  private voiceOverRun = 0;
  /** Out of hold: the onset of the provisional pause in effect, or −1. */
  private provisionalOnsetMs = -1;

  constructor(options: Partial<HoldStateOptions> = {}) {
    this.o = { ...DEFAULT_HOLD_STATE_OPTIONS, ...options };
    this.alpha = Math.min(1, 20 / Math.max(20, this.o.smoothMs));
    this.enterEvidence = (this.o.enterMs / 20) * (1 - this.o.enterScore);
    this.exitEvidence = (this.o.exitMs / 20) * this.o.exitScore;
    this.affirmFrames = this.o.affirmMs > 0 ? Math.max(1, Math.round(this.o.affirmMs / 20)) : 0;
    this.voiceOverFrames = Math.round(Math.max(0, this.o.voiceOverMs) / 20);
  }

  get state(): 'hold' | 'no-hold' {
    return this.holding ? 'hold' : 'no-hold';
  }

  /** The score at or above which a frame is music for sure (`confidentScore`). */
  get confidentScore(): number {
    return this.o.confidentScore;
  }

  /** The score under which a frame adds evidence against hold (`exitScore`). */
  get exitScore(): number {
    return this.o.exitScore;
  }

  get smoothedScore(): number {
    return this.smoothed;
  }

  /**
   * Out of hold with evidence for hold gathered (the entry CUSUM above zero): the onset a hold
   * decided now would report. Undefined in hold or with no evidence.
   */
  get pendingOnsetMs(): number | undefined {
    if (this.holding || this.sum <= 0) return undefined;
    return this.entryOnsetMs();
  }

  /** The onset of the entry evidence gathering now: where its sum left zero, backdated. */
  private entryOnsetMs(): number {
    return Math.max(0, this.riseMs - this.o.enterBackdateMs);
  }

  /**
   * The onset of a hold entered now on evidence from outside the score that began at
   * `evidenceMs` (the detector's strict beat): backdated as the score's own evidence is, or the
   * onset of the score's pending evidence ({@link pendingOnsetMs}) if that is earlier.
   */
  onsetFor(evidenceMs: number): number {
    const backdated = Math.max(0, evidenceMs - this.o.enterBackdateMs);
    const pending = this.pendingOnsetMs;
    return pending !== undefined && pending < backdated ? pending : backdated;
  }

  reset(): void {
    this.smoothed = 0;
    this.started = false;
    this.holding = false;
    this.confident = true;
    this.sum = 0;
    this.riseMs = 0;
    this.runPeak = 0;
    this.confidentRun = 0;
    this.voiceOverRun = 0;
    this.provisionalOnsetMs = -1;
  }

  /**
   * Feeds the score of the frame at `timeMs`; returns a transition or undefined. `musicUnder`:
   * the hold's music still fills the pauses of this frame's voice (see `voiceOverMs`).
   */
  push(score: number, timeMs: number, musicUnder = false): HoldTransition | undefined {
    this.smoothed = this.started ? this.smoothed + this.alpha * (score - this.smoothed) : score;
    this.started = true;
    const s = this.smoothed;
    const o = this.o;
    if (!this.holding) {
      const next = this.sum + s - o.enterScore;
      if (next <= 0) {
        this.sum = 0;
        return this.provisionalOnsetMs >= 0 ? this.endProvisional() : undefined;
      }
      if (this.sum === 0) {
        this.riseMs = timeMs;
        this.runPeak = 0;
      }
      this.sum = next;
      if (s > this.runPeak) this.runPeak = s;
      if (next < this.enterEvidence) return this.provisionalPause(s, timeMs);
      this.holding = true;
      this.provisionalOnsetMs = -1;
      this.confident = this.runPeak >= o.confidentScore;
      this.sum = 0;
      this.confidentRun = 0;
      this.voiceOverRun = 0;
      return { state: 'hold', onsetMs: this.entryOnsetMs(), confident: this.confident };
    }
    this.confidentRun = s >= o.confidentScore ? this.confidentRun + 1 : 0;
    if (this.affirmFrames > 0 && this.confidentRun >= this.affirmFrames) this.sum = 0;
    if (this.confidentRun > 0) this.voiceOverRun = 0;
    else if (musicUnder && s < o.exitScore && this.voiceOverRun < this.voiceOverFrames) {
      this.voiceOverRun++;
      return undefined;
    }
    const next = this.sum + o.exitScore - s;
    if (next <= 0) {
      this.sum = 0;
      if (!this.confident && s >= o.confidentScore) {
        this.confident = true;
        return { state: 'hold', onsetMs: timeMs, confident: true };
      }
      return undefined;
    }
    if (this.sum === 0) this.riseMs = timeMs;
    this.sum = next;
    if (next < this.exitEvidence) return undefined;
    this.holding = false;
    this.confident = true;
    this.sum = 0;
    return {
      state: 'no-hold',
      onsetMs: o.resumeAtChangePoint ? Math.max(0, this.riseMs - o.exitBackdateMs) : timeMs,
      confident: true,
      changePointMs: this.riseMs,
    };
  }

  /**
   * Out of hold with evidence pending (not yet enough for a hold): a provisional pause, if one
   * is due (see `HoldStateOptions.delayLineMs`).
   */
  private provisionalPause(s: number, timeMs: number): HoldTransition | undefined {
    const o = this.o;
    if (o.delayLineMs <= 0 || this.provisionalOnsetMs >= 0) return undefined;
    const onsetMs = this.entryOnsetMs();
    if (onsetMs > timeMs - o.delayLineMs) return undefined;
    if (s < o.confidentScore || this.sum < PROVISIONAL_EVIDENCE * this.enterEvidence)
      return undefined;
    this.provisionalOnsetMs = onsetMs;
    return { state: 'hold', onsetMs, confident: false, provisional: true };
  }

  /**
   * The evidence of a provisional pause is spent without a hold: the pause ends at its own onset
   * (what the delay line still holds of it is written; what left it during the pause is lost).
   */
  private endProvisional(): HoldTransition {
    const onsetMs = this.provisionalOnsetMs;
    this.provisionalOnsetMs = -1;
    return { state: 'no-hold', onsetMs, confident: true, provisional: true };
  }

  /**
   * Enters hold at once, from `onsetMs`, on evidence from outside the score stream (the
   * detector's stream-start look); a later score ≥ `confidentScore` upgrades an unsure entry.
   */
  enter(onsetMs: number, confident: boolean): HoldTransition | undefined {
    if (this.holding) return undefined;
    this.holding = true;
    this.confident = confident;
    this.provisionalOnsetMs = -1;
    this.sum = 0;
    this.confidentRun = 0;
    this.voiceOverRun = 0;
    return { state: 'hold', onsetMs, confident };
  }
}
