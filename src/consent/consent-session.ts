import type { DtmfDigit } from '../media/dtmf/index.js';
import type { ConsentPolicy } from './consent-policy.js';
import type { DigitSource } from './digit-deduplicator.js';

/** How consent ended (issue 6, Build 5). */
export type ConsentOutcome = 'recorded' | 'opted-out' | 'opted-in' | 'no-answer' | 'abandoned';

export type ConsentPhase = 'announcing' | 'collecting' | 'settled';

/** What the session asks its driver to do after an input. */
export interface ConsentStep {
  /** The outcome, once settled (reported exactly once). */
  readonly outcome?: ConsentOutcome;
  /** Stop the announcement now (the digit came while it played). */
  readonly stopAnnouncement?: boolean;
  /** Play the confirmation prompt (the digit was accepted). */
  readonly confirm?: boolean;
  /** Arm the collection timer for this call time (ms). */
  readonly collectUntilMs?: number;
}

/** A key press as the consent record keeps it. */
export interface ConsentDigit {
  readonly digit: DtmfDigit;
  readonly source: DigitSource;
  /** Call time in ms. */
  readonly atMs: number;
}

/**
 * The consent dialogue of one call as a pure state machine (issue 6, Build 1): the announcement
 * plays, a digit is awaited while it plays and for `timeoutMs` after, then the outcome follows
 * from the policy:
 * - `none`: `recorded` at once; `announce`: `recorded` when the announcement has played;
 * - `opt-out`: the digit → `opted-out`; no digit by the deadline → `recorded`;
 * - `opt-in`: the digit → `opted-in`; no digit → `no-answer` (not recorded);
 * - the caller hangs up first → `abandoned` (not recorded).
 * Other keys are kept in the record but change nothing. No timers, no I/O: every input carries
 * the call time.
 */
export class ConsentSession {
  readonly policy: ConsentPolicy;
  #phase: ConsentPhase = 'announcing';
  #outcome: ConsentOutcome | undefined;
  readonly digits: ConsentDigit[] = [];
  #settledAtMs: number | undefined;
  #decidingDigit: ConsentDigit | undefined;

  constructor(policy: ConsentPolicy) {
    this.policy = policy;
  }

  get phase(): ConsentPhase {
    return this.#phase;
  }

  get outcome(): ConsentOutcome | undefined {
    return this.#outcome;
  }

  get settledAtMs(): number | undefined {
    return this.#settledAtMs;
  }

  /** The press that decided the outcome, if a press did. */
  get decidingDigit(): ConsentDigit | undefined {
    return this.#decidingDigit;
  }

  /** Whether the outcome lets the call be recorded. */
  get records(): boolean {
    return this.#outcome === 'recorded' || this.#outcome === 'opted-in';
  }

  /**
   * The caller's offer carried RFC 7866 `a=recordpref` (honoured only where the caller has a
   * choice: opt-out and opt-in). Returns the step when it settles consent.
   */
  recordPreference(pref: string | undefined, atMs: number): ConsentStep {
    if (this.#phase === 'settled' || !this.policy.honourRecordPref || pref === undefined) return {};
    if (pref === 'off' && (this.policy.name === 'opt-out' || this.policy.name === 'opt-in'))
      return this.#settle('opted-out', atMs);
    if (pref === 'on' && this.policy.name === 'opt-in') return this.#settle('opted-in', atMs);
    return {};
  }

  /** Starting point: `none` settles at once. */
  start(atMs: number): ConsentStep {
    if (this.#phase === 'settled') return {};
    if (this.policy.name === 'none') return this.#settle('recorded', atMs);
    return {};
  }

  /** The announcement finished playing (or could not be played). */
  announcementEnded(atMs: number): ConsentStep {
    if (this.#phase !== 'announcing') return {};
    if (this.policy.name === 'announce') return this.#settle('recorded', atMs);
    this.#phase = 'collecting';
    return { collectUntilMs: atMs + this.policy.timeoutMs };
  }

  /** A key press (already de-duplicated across sources). */
  digit(digit: DtmfDigit, source: DigitSource, atMs: number): ConsentStep {
    if (this.#phase === 'settled') return {};
    const press = { digit, source, atMs };
    this.digits.push(press);
    const asks = this.policy.name === 'opt-out' || this.policy.name === 'opt-in';
    if (!asks || digit !== this.policy.digit) return {};
    this.#decidingDigit = press;
    const stop = this.#phase === 'announcing';
    const step = this.#settle(this.policy.name === 'opt-out' ? 'opted-out' : 'opted-in', atMs);
    return { ...step, stopAnnouncement: stop, confirm: true };
  }

  /** The collection deadline passed. */
  timeout(atMs: number): ConsentStep {
    if (this.#phase !== 'collecting') return {};
    return this.#settle(this.policy.name === 'opt-in' ? 'no-answer' : 'recorded', atMs);
  }

  /** The caller hung up (or cancelled) before consent was settled. */
  abandon(atMs: number): ConsentStep {
    if (this.#phase === 'settled') return {};
    return this.#settle('abandoned', atMs);
  }

  #settle(outcome: ConsentOutcome, atMs: number): ConsentStep {
    this.#phase = 'settled';
    this.#outcome = outcome;
    this.#settledAtMs = atMs;
    return { outcome };
  }
}
