import { describe, expect, it } from 'vitest';
import { DEFAULT_PROMPT_LANGUAGES, defaultPromptText } from './default-prompts.js';

const PURPOSE_EN = 'to train our staff';
const PURPOSE_NL = 'om onze medewerkers te trainen';

describe('defaultPromptText (issue 6, Build 6)', () => {
  it('has en and nl', () => {
    expect([...DEFAULT_PROMPT_LANGUAGES].sort()).toEqual(['en', 'nl']);
  });

  it.each([
    ['announce', 'This call is recorded to train our staff.'],
    ['none', 'This call is recorded to train our staff.'],
    [
      'opt-out',
      'This call is recorded to train our staff. If you do not want this call to be recorded, press 9 now.',
    ],
    ['opt-in', 'We would like to record this call to train our staff. If you agree, press 9 now.'],
  ] as const)('en announcement, %s', (policy, text) => {
    expect(defaultPromptText('announcement', policy, 'en', PURPOSE_EN, '9')).toBe(text);
  });

  it.each([
    ['announce', 'Dit gesprek wordt opgenomen om onze medewerkers te trainen.'],
    [
      'opt-out',
      'Dit gesprek wordt opgenomen om onze medewerkers te trainen. Wilt u niet dat dit gesprek wordt opgenomen, druk dan nu op 9.',
    ],
    [
      'opt-in',
      'Wij willen dit gesprek graag opnemen om onze medewerkers te trainen. Gaat u daarmee akkoord, druk dan nu op 9.',
    ],
  ] as const)('nl announcement, %s', (policy, text) => {
    expect(defaultPromptText('announcement', policy, 'nl', PURPOSE_NL, '9')).toBe(text);
  });

  it.each([
    ['en', 'opt-out', 'This call will not be recorded.'],
    ['en', 'opt-in', 'Thank you. This call will be recorded.'],
    ['nl', 'opt-out', 'Dit gesprek wordt niet opgenomen.'],
    ['nl', 'opt-in', 'Dank u. Dit gesprek wordt opgenomen.'],
  ] as const)('%s confirmation, %s', (lang, policy, text) => {
    expect(defaultPromptText('confirmation', policy, lang, '', '9')).toBe(text);
  });

  it.each([
    ['en', '*', 'press star now.'],
    ['en', '#', 'press hash now.'],
    ['en', '1', 'press 1 now.'],
    ['nl', '*', 'druk dan nu op sterretje.'],
    ['nl', '#', 'druk dan nu op hekje.'],
  ] as const)('%s speaks %s as a word', (lang, digit, tail) => {
    const text = defaultPromptText('announcement', 'opt-out', lang, 'x', digit);
    expect(text?.endsWith(tail)).toBe(true);
  });

  it('trims the purpose and drops its trailing full stop (no "staff..")', () => {
    expect(defaultPromptText('announcement', 'announce', 'en', '  to train our staff. ', '9')).toBe(
      'This call is recorded to train our staff.',
    );
  });

  it('unknown language → undefined', () => {
    expect(defaultPromptText('announcement', 'opt-out', 'de', 'zur Schulung', '9')).toBeUndefined();
    expect(defaultPromptText('confirmation', 'opt-in', 'fr', '', '1')).toBeUndefined();
    expect(defaultPromptText('announcement', 'opt-out', 'EN', PURPOSE_EN, '9')).toBeUndefined();
  });
});
