import type { QueueConsentConfig } from '../config/schema.js';

export type ConsentPolicyName = 'none' | 'announce' | 'opt-out' | 'opt-in';
export type ConsentPlacement = 'answer' | 'early-media';

/** A queue's consent settings with every default applied (issue 6, Build 1). */
export interface ConsentPolicy {
  readonly name: ConsentPolicyName;
  readonly placement: ConsentPlacement;
  /** The digit that opts out (opt-out) or in (opt-in); unused by none/announce. */
  readonly digit: string;
  readonly timeoutMs: number;
  /** Sequence that opts out later in the call, or undefined (off). */
  readonly lateOptOutDigits: string | undefined;
  readonly honourRecordPref: boolean;
}

const DEFAULT_DIGIT: Record<ConsentPolicyName, string> = {
  none: '9',
  announce: '9',
  'opt-out': '9',
  'opt-in': '1',
};

/** The effective policy of a queue (absent block: `none`). */
export function consentPolicyOf(config: QueueConsentConfig | undefined): ConsentPolicy {
  const name = config?.policy ?? 'none';
  return {
    name,
    placement: config?.placement ?? 'answer',
    digit: (config?.digit ?? DEFAULT_DIGIT[name]).toUpperCase(),
    timeoutMs: Math.round((config?.timeoutSeconds ?? 5) * 1000),
    lateOptOutDigits: config?.lateOptOutDigits?.toUpperCase(),
    honourRecordPref: (config?.recordpref ?? 'honour') === 'honour',
  };
}

/** Whether holdgate talks to the caller before recording (anything but `none`). */
export function announces(policy: ConsentPolicy): boolean {
  return policy.name !== 'none';
}

/**
 * The prompt language for a call: the first tag of `headerValue` (an Accept-Language-style list,
 * RFC 3261 §20.3: `nl-NL;q=0.9, en`) whose primary subtag has prompts, else the queue default.
 */
export function pickLanguage(
  headerValue: string | undefined,
  available: ReadonlySet<string>,
  fallback: string,
): string {
  if (headerValue !== undefined) {
    const tags = headerValue
      .split(',')
      .map((part) => {
        const [tag, ...params] = part.trim().split(';');
        const q = params.map((p) => /^\s*q\s*=\s*([\d.]+)/i.exec(p)).find(Boolean);
        return { lang: (tag ?? '').trim().toLowerCase().split('-')[0]!, q: q ? Number(q[1]) : 1 };
      })
      .filter((t) => t.lang !== '' && t.q > 0)
      .sort((a, b) => b.q - a.q);
    for (const t of tags) if (available.has(t.lang)) return t.lang;
  }
  return fallback;
}
