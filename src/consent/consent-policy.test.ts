import { describe, expect, it } from 'vitest';
import type { QueueConsentConfig } from '../config/schema.js';
import { announces, consentPolicyOf, pickLanguage } from './consent-policy.js';

const cfg = (c: Partial<QueueConsentConfig>): QueueConsentConfig => c as QueueConsentConfig;

describe('consentPolicyOf', () => {
  it('absent block: none, answer placement, 5 s, recordpref honoured, no late opt-out', () => {
    expect(consentPolicyOf(undefined)).toEqual({
      name: 'none',
      placement: 'answer',
      digit: '9',
      timeoutMs: 5000,
      lateOptOutDigits: undefined,
      honourRecordPref: true,
    });
  });

  it('default digit: 9 for opt-out, 1 for opt-in', () => {
    expect(consentPolicyOf(cfg({ policy: 'opt-out' })).digit).toBe('9');
    expect(consentPolicyOf(cfg({ policy: 'opt-in' })).digit).toBe('1');
  });

  it('takes configured values, folding letter case and rounding the timeout to ms', () => {
    const p = consentPolicyOf(
      cfg({
        policy: 'opt-in',
        placement: 'early-media',
        digit: 'b',
        timeoutSeconds: 2.0004,
        lateOptOutDigits: '*9a',
        recordpref: 'ignore',
      }),
    );
    expect(p).toEqual({
      name: 'opt-in',
      placement: 'early-media',
      digit: 'B',
      timeoutMs: 2000,
      lateOptOutDigits: '*9A',
      honourRecordPref: false,
    });
  });

  it('timeoutSeconds 0 is kept (not replaced by the default)', () => {
    expect(consentPolicyOf(cfg({ policy: 'opt-out', timeoutSeconds: 0 })).timeoutMs).toBe(0);
  });

  it('announces is false only for none', () => {
    expect(announces(consentPolicyOf(undefined))).toBe(false);
    for (const policy of ['announce', 'opt-out', 'opt-in'] as const)
      expect(announces(consentPolicyOf(cfg({ policy })))).toBe(true);
  });
});

describe('pickLanguage (Accept-Language style, RFC 3261 §20.3 / RFC 9110 §12.5.4)', () => {
  const both = new Set(['en', 'nl']);

  // The fallback is "de" (no prompts), so any other result came from the header.
  it.each([
    ['no header', undefined, 'de'],
    ['empty header', '', 'de'],
    ['first available tag', 'nl, en', 'nl'],
    ['region subtag', 'nl-NL', 'nl'],
    ['upper-case tag', 'NL-be', 'nl'],
    ['unavailable first tag skipped', 'de-DE, nl;q=0.8', 'nl'],
    ['highest q wins over order', 'en;q=0.5, nl-NL;q=0.9', 'nl'],
    ['missing q counts as 1', 'en;q=0.9, nl', 'nl'],
    ['spaces around ; and =', 'en ; q = 0.2 , nl ; q = 0.3', 'nl'],
    ['equal q keeps header order', 'nl;q=0.5, en;q=0.5', 'nl'],
    ['equal q keeps header order (reversed)', 'en;q=0.5, nl;q=0.5', 'en'],
    ['q=0 is "not acceptable"', 'nl;q=0, en;q=0.1', 'en'],
    ['q=0.000 is "not acceptable" too', 'nl;q=0.000', 'de'],
    ['nothing available → fallback', 'fr, de', 'de'],
    ['wildcard alone → fallback', '*', 'de'],
  ])('%s: %j → %s', (_name, header, expected) => {
    expect(pickLanguage(header, both, 'de')).toBe(expected);
  });

  it('returns the fallback even when the fallback has no prompts of its own', () => {
    expect(pickLanguage('fr', new Set(['en']), 'en')).toBe('en');
    expect(pickLanguage('en', new Set<string>(), 'nl')).toBe('nl');
  });
});
