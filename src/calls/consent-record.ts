import type { ConsentOutcome, ConsentPolicy } from '../consent/index.js';
import type { RecordPreference } from '../sdp/index.js';
import type { ConsentDialogue, PromptPlayed } from './consent-dialogue.js';

export interface ConsentDetailsInput {
  /** Absent when no dialogue ran (the caller left before its ACK). */
  readonly dialogue: ConsentDialogue | undefined;
  readonly policy: ConsentPolicy;
  readonly language: string;
  readonly purpose: string | undefined;
  readonly recordPref: RecordPreference | undefined;
  readonly outcome: ConsentOutcome;
  /** Epoch ms of call time 0. */
  readonly startedAt: number;
  /** Call time now (ms), for a dialogue that never settled itself. */
  readonly nowMs: number;
}

/**
 * The details of one call's consent record (issue 6, Build 5): what was announced (file,
 * SHA-256 of the prompt audio, when, played to the end or cut), every key with its source and
 * time, the key that decided, the RFC 7866 preference and the outcome. Times are ISO 8601.
 */
export function consentDetails(input: ConsentDetailsInput): Record<string, unknown> {
  const iso = (callMs: number): string => new Date(input.startedAt + callMs).toISOString();
  const prompt = (p: PromptPlayed | undefined): Record<string, unknown> | null =>
    p === undefined
      ? null
      : {
          file: p.prompt.file,
          sha256: p.prompt.sha256,
          durationMs: p.prompt.durationMs,
          startedAt: iso(p.startMs),
          endedAt: p.endMs === undefined ? null : iso(p.endMs),
          completed: p.completed,
        };
  const dialogue = input.dialogue;
  const session = dialogue?.session;
  const deciding = session?.decidingDigit;
  return {
    placement: input.policy.placement,
    language: input.language,
    purpose: input.purpose ?? null,
    announcement: prompt(dialogue?.announcement),
    confirmation: prompt(dialogue?.confirmation),
    digit: input.policy.digit,
    digits: (session?.digits ?? []).map((d) => ({
      digit: d.digit,
      source: d.source,
      at: iso(d.atMs),
    })),
    decidingDigit: deciding
      ? { digit: deciding.digit, source: deciding.source, at: iso(deciding.atMs) }
      : null,
    recordpref: input.recordPref ?? null,
    promptError: dialogue?.promptError ?? null,
    settledAt: iso(session?.settledAtMs ?? input.nowMs),
    outcome: input.outcome,
  };
}
