import { describe, expect, it } from 'vitest';
import type { QueueConsentConfig } from '../config/schema.js';
import { consentPolicyOf, type ConsentPolicyName } from './consent-policy.js';
import { ConsentSession } from './consent-session.js';

function session(name: ConsentPolicyName, extra: Partial<QueueConsentConfig> = {}): ConsentSession {
  return new ConsentSession(consentPolicyOf({ policy: name, ...extra } as QueueConsentConfig));
}

describe('ConsentSession — policies without a question', () => {
  it('none: recorded at start, nothing else matters', () => {
    const s = session('none');
    expect(s.phase).toBe('announcing');
    expect(s.start(10)).toEqual({ outcome: 'recorded' });
    expect(s.phase).toBe('settled');
    expect(s.settledAtMs).toBe(10);
    expect(s.records).toBe(true);
    expect(s.digit('9', 'rfc4733', 20)).toEqual({});
    expect(s.abandon(30)).toEqual({});
    expect(s.outcome).toBe('recorded');
    expect(s.digits).toEqual([]);
  });

  it('announce: recorded once the announcement ended; a 9 is only kept in the record', () => {
    const s = session('announce');
    expect(s.start(0)).toEqual({});
    expect(s.digit('9', 'info', 500)).toEqual({});
    expect(s.outcome).toBeUndefined();
    expect(s.announcementEnded(4000)).toEqual({ outcome: 'recorded' });
    expect(s.settledAtMs).toBe(4000);
    expect(s.decidingDigit).toBeUndefined();
    expect(s.digits).toEqual([{ digit: '9', source: 'info', atMs: 500 }]);
    expect(s.records).toBe(true);
  });

  it('announce: hanging up during the announcement is abandoned', () => {
    const s = session('announce');
    s.start(0);
    expect(s.abandon(1200)).toEqual({ outcome: 'abandoned' });
    expect(s.records).toBe(false);
    expect(s.announcementEnded(4000)).toEqual({});
    expect(s.outcome).toBe('abandoned');
  });
});

describe('ConsentSession — opt-out (digit 9 by default)', () => {
  it('the digit during the announcement stops it, confirms and opts out', () => {
    const s = session('opt-out');
    s.start(0);
    expect(s.digit('9', 'rfc4733', 1500)).toEqual({
      outcome: 'opted-out',
      stopAnnouncement: true,
      confirm: true,
    });
    expect(s.decidingDigit).toEqual({ digit: '9', source: 'rfc4733', atMs: 1500 });
    expect(s.settledAtMs).toBe(1500);
    expect(s.records).toBe(false);
    // Settle once: the end of the (stopped) announcement and the timer change nothing.
    expect(s.announcementEnded(1600)).toEqual({});
    expect(s.timeout(9000)).toEqual({});
    expect(s.digit('9', 'info', 1550)).toEqual({});
    expect(s.digits).toHaveLength(1);
  });

  it('the digit during collection opts out without stopping anything', () => {
    const s = session('opt-out', { timeoutSeconds: 5 });
    s.start(0);
    expect(s.announcementEnded(4000)).toEqual({ collectUntilMs: 9000 });
    expect(s.phase).toBe('collecting');
    expect(s.digit('9', 'inband', 6000)).toEqual({
      outcome: 'opted-out',
      stopAnnouncement: false,
      confirm: true,
    });
  });

  it('other digits are recorded but ignored; the timeout then records', () => {
    const s = session('opt-out');
    s.start(0);
    expect(s.digit('1', 'rfc4733', 800)).toEqual({});
    s.announcementEnded(4000);
    expect(s.digit('#', 'info', 5000)).toEqual({});
    expect(s.outcome).toBeUndefined();
    expect(s.timeout(9000)).toEqual({ outcome: 'recorded' });
    expect(s.decidingDigit).toBeUndefined();
    expect(s.digits.map((d) => d.digit)).toEqual(['1', '#']);
    expect(s.records).toBe(true);
  });

  it('a timeout before the announcement ended is ignored', () => {
    const s = session('opt-out');
    s.start(0);
    expect(s.timeout(100)).toEqual({});
    expect(s.phase).toBe('announcing');
  });

  it('a configured digit (*, lowercase letter) is honoured', () => {
    const star = session('opt-out', { digit: '*' });
    star.start(0);
    expect(star.digit('9', 'rfc4733', 10)).toEqual({});
    expect(star.digit('*', 'rfc4733', 20).outcome).toBe('opted-out');
    const letter = session('opt-out', { digit: 'd' });
    letter.start(0);
    expect(letter.digit('D', 'info', 20).outcome).toBe('opted-out');
  });

  it('abandon during collection', () => {
    const s = session('opt-out');
    s.start(0);
    s.announcementEnded(4000);
    expect(s.abandon(5000)).toEqual({ outcome: 'abandoned' });
    expect(s.timeout(9000)).toEqual({});
    expect(s.outcome).toBe('abandoned');
  });
});

describe('ConsentSession — opt-in (digit 1 by default)', () => {
  it('the digit opts in', () => {
    const s = session('opt-in');
    s.start(0);
    expect(s.digit('9', 'rfc4733', 500)).toEqual({});
    expect(s.digit('1', 'rfc4733', 700)).toEqual({
      outcome: 'opted-in',
      stopAnnouncement: true,
      confirm: true,
    });
    expect(s.records).toBe(true);
  });

  it('no digit by the deadline is no-answer, not recorded', () => {
    const s = session('opt-in', { timeoutSeconds: 2.5 });
    s.start(0);
    expect(s.announcementEnded(3000)).toEqual({ collectUntilMs: 5500 });
    expect(s.timeout(5500)).toEqual({ outcome: 'no-answer' });
    expect(s.records).toBe(false);
    expect(s.digit('1', 'info', 5600)).toEqual({});
    expect(s.outcome).toBe('no-answer');
  });
});

describe('ConsentSession — RFC 7866 a=recordpref', () => {
  it.each([
    ['opt-out', 'off', 'opted-out'],
    ['opt-in', 'off', 'opted-out'],
    ['opt-in', 'on', 'opted-in'],
    ['opt-out', 'on', undefined],
    ['opt-out', 'pause', undefined],
    ['opt-in', 'nopreference', undefined],
    ['opt-in', undefined, undefined],
    ['announce', 'off', undefined],
    ['none', 'off', undefined],
    ['announce', 'on', undefined],
  ] as const)('%s with recordpref %s → %s', (policy, pref, outcome) => {
    const s = session(policy);
    const step = s.recordPreference(pref, 0);
    expect(step.outcome).toBe(outcome);
    expect(s.outcome).toBe(outcome);
    expect(step.confirm).toBeUndefined();
  });

  it('is ignored when the queue says recordpref: ignore', () => {
    const s = session('opt-out', { recordpref: 'ignore' });
    expect(s.recordPreference('off', 0)).toEqual({});
    expect(s.outcome).toBeUndefined();
    const i = session('opt-in', { recordpref: 'ignore' });
    expect(i.recordPreference('on', 0)).toEqual({});
  });

  it('does not overturn a settled outcome', () => {
    const s = session('opt-out');
    s.start(0);
    s.digit('9', 'rfc4733', 100);
    expect(s.recordPreference('on', 200)).toEqual({});
    const r = session('opt-in');
    r.abandon(50);
    expect(r.recordPreference('on', 200)).toEqual({});
    expect(r.outcome).toBe('abandoned');
  });

  it('settling by recordpref makes start and the dialogue no-ops', () => {
    const s = session('opt-out');
    expect(s.recordPreference('off', 5).outcome).toBe('opted-out');
    expect(s.start(6)).toEqual({});
    expect(s.announcementEnded(7)).toEqual({});
    expect(s.settledAtMs).toBe(5);
  });
});
