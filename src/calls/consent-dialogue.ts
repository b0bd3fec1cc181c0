import type { Logger } from '../shared/logger.js';
import {
  ConsentSession,
  type ConsentOutcome,
  type ConsentPrompt,
  type ConsentPrompts,
  type ConsentStep,
  type DigitSource,
} from '../consent/index.js';
import type { DtmfDigit } from '../media/dtmf/index.js';
import type { CallerEndpoint } from './session-description-seam.js';

/** When a prompt was played (call-time ms), for the consent record. */
export interface PromptPlayed {
  readonly prompt: ConsentPrompt;
  readonly startMs: number;
  endMs: number | undefined;
  /** Played to the end (not cut by a digit or a hang-up). */
  completed: boolean;
}

export interface ConsentDialogueInit {
  readonly session: ConsentSession;
  readonly endpoint: CallerEndpoint;
  /** The call's prompts in its language and codec. */
  readonly prompts: () => Promise<ConsentPrompts>;
  readonly payloadType: number;
  /** Call time in ms. */
  readonly now: () => number;
  readonly log: Logger;
}

/**
 * Drives one call's consent dialogue (issue 6, Build 1–3) over the media: plays the announcement
 * to the caller, hears digits (RFC 4733 and in-band from the relay, SIP INFO from the call),
 * arms the collection timeout and plays the confirmation; the decisions are the pure
 * {@link ConsentSession}'s. `run()` resolves with the outcome once the caller may be connected.
 */
export class ConsentDialogue {
  readonly #init: ConsentDialogueInit;
  #timer: NodeJS.Timeout | undefined;
  #settled: ((outcome: ConsentOutcome) => void) | undefined;
  #confirming: Promise<unknown> | undefined;
  #prompts: ConsentPrompts | undefined;
  announcement: PromptPlayed | undefined;
  confirmation: PromptPlayed | undefined;
  /** Why the prompts could not be played, if they could not. */
  promptError: string | undefined;

  constructor(init: ConsentDialogueInit) {
    this.#init = init;
  }

  get session(): ConsentSession {
    return this.#init.session;
  }

  get language(): string | undefined {
    return this.#prompts?.language;
  }

  /** Plays and listens until consent is settled; never rejects. */
  run(): Promise<ConsentOutcome> {
    let resolveDone: (outcome: ConsentOutcome) => void = () => undefined;
    const done = new Promise<ConsentOutcome>((resolve) => {
      resolveDone = resolve;
    });
    this.#settled = resolveDone;
    const already = this.session.outcome;
    if (already !== undefined) {
      this.#settled = undefined;
      resolveDone(this.#forced(already));
    } else if (!this.#apply(this.session.start(this.#init.now()))) {
      void this.#announce();
    }
    return done.then(async (outcome) => {
      await this.#confirming;
      return outcome;
    });
  }

  /** A key press (already folded across sources by the call's deduplicator). */
  digit(digit: DtmfDigit, source: DigitSource, atMs: number): void {
    this.#apply(this.session.digit(digit, source, atMs));
  }

  /** The caller went away before consent was settled. */
  abandon(): void {
    this.#apply(this.session.abandon(this.#init.now()));
  }

  /** A settling step from outside (RFC 7866 recordpref). */
  apply(step: ConsentStep): boolean {
    return this.#apply(step);
  }

  async #announce(): Promise<void> {
    const init = this.#init;
    try {
      this.#prompts = await init.prompts();
    } catch (err) {
      // Without an announcement nobody may be recorded: settle as if nothing was pressed, which
      // is "not recorded" for opt-in and is forced to "not recorded" for the others below.
      this.promptError = err instanceof Error ? err.message : String(err);
      init.log.error({ err }, 'consent prompts unavailable; the call is not recorded');
      this.#apply(this.session.announcementEnded(init.now()));
      this.#apply(this.session.timeout(init.now()));
      return;
    }
    if (this.session.phase !== 'announcing') return;
    const { played, done } = this.#play(this.#prompts.announcement);
    this.announcement = played;
    await done;
    this.#apply(this.session.announcementEnded(init.now()));
  }

  /** Plays one prompt to the caller; `played` is filled in (end, completed) as it finishes. */
  #play(prompt: ConsentPrompt): { played: PromptPlayed; done: Promise<void> } {
    const init = this.#init;
    const played: PromptPlayed = {
      prompt,
      startMs: init.now(),
      endMs: undefined,
      completed: false,
    };
    const done = init.endpoint.play(prompt.payloads, init.payloadType).then(
      (r) => {
        played.completed = !r.interrupted;
      },
      (err: unknown) => {
        init.log.warn({ err }, 'prompt not played');
      },
    );
    return {
      played,
      done: done.finally(() => {
        played.endMs = init.now();
      }),
    };
  }

  /** Acts on a step; true when it settled consent. */
  #apply(step: ConsentStep): boolean {
    if (step.collectUntilMs !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = setTimeout(
        () => this.#apply(this.session.timeout(this.#init.now())),
        Math.max(0, step.collectUntilMs - this.#init.now()),
      );
    }
    if (step.confirm && this.#prompts && step.outcome !== 'abandoned') {
      // Playing the confirmation replaces (stops) the announcement still playing.
      const { played, done } = this.#play(this.#prompts.confirmation);
      this.confirmation = played;
      this.#confirming = done;
    }
    if (step.outcome === undefined) return false;
    clearTimeout(this.#timer);
    this.#settled?.(this.#forced(step.outcome));
    this.#settled = undefined;
    return true;
  }

  /** No announcement was heard: only outcomes that do not record stand. */
  #forced(outcome: ConsentOutcome): ConsentOutcome {
    if (this.promptError === undefined) return outcome;
    return outcome === 'abandoned' || outcome === 'opted-out' ? outcome : 'no-answer';
  }

  /** Stops timers (the call ended). */
  close(): void {
    clearTimeout(this.#timer);
  }
}
