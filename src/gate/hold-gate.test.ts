import { describe, it, expect } from 'vitest';
import { HoldGate, type GateEvent } from './hold-gate.js';

/** A gate past its initial offer/answer (t = 1 s), recording. */
function established(options: ConstructorParameters<typeof HoldGate>[0] = {}): HoldGate {
  const gate = new HoldGate(options);
  gate.sdpOffer({ leg: 'caller', exchangeId: 'invite', hold: false }, 0);
  gate.sdpAnswer({ leg: 'pbx', exchangeId: 'invite', hold: false }, 900);
  gate.exchangeCommitted('invite', 1000);
  return gate;
}

const transitions = (events: GateEvent[]) => events.map((e) => [e.t, e.state, e.change, e.cause]);

describe('HoldGate', () => {
  it('is paused (unknown) until the initial exchange is committed: fail closed', () => {
    const gate = new HoldGate();
    expect(gate.state).toBe('paused');
    expect(gate.causes).toEqual(['unknown']);
    gate.sdpOffer({ leg: 'caller', exchangeId: 'invite', hold: false }, 0);
    gate.sdpAnswer({ leg: 'pbx', exchangeId: 'invite', hold: false }, 900);
    expect(gate.state).toBe('paused');
    gate.exchangeCommitted('invite', 1000);
    expect(gate.state).toBe('recording');
    expect(transitions(gate.events)).toEqual([
      [0, 'paused', 'set', 'unknown'],
      [1, 'recording', 'cleared', 'unknown'],
    ]);
    expect(gate.isPausedAt(999)).toBe(true);
    expect(gate.isPausedAt(1000)).toBe(false);
  });

  it('an unknown-hold offer pauses at once as unknown', () => {
    const gate = established();
    gate.sdpOffer({ leg: 'pbx', exchangeId: 'r1', hold: 'unknown' }, 5000);
    expect(gate.causes).toEqual(['unknown']);
    gate.sdpAnswer({ leg: 'caller', exchangeId: 'r1', hold: false }, 5100);
    gate.exchangeCommitted('r1', 5200);
    expect(gate.causes).toEqual(['unknown']);
  });

  it('a hold offer pauses at once; the resume reopens only when committed', () => {
    const gate = established();
    const seen: GateEvent[] = [];
    gate.onEvent((e) => seen.push(e));
    gate.sdpOffer({ leg: 'pbx', exchangeId: 'hold', hold: true }, 12_340);
    expect(gate.state).toBe('paused');
    expect(gate.causes).toEqual(['sdp-hold-pbx']);
    gate.sdpAnswer({ leg: 'caller', exchangeId: 'hold', hold: false }, 12_400);
    gate.exchangeCommitted('hold', 12_450);
    expect(gate.causes).toEqual(['sdp-hold-pbx']);
    gate.sdpOffer({ leg: 'pbx', exchangeId: 'resume', hold: false }, 40_000);
    gate.sdpAnswer({ leg: 'caller', exchangeId: 'resume', hold: false }, 40_050);
    expect(gate.state).toBe('paused');
    gate.exchangeCommitted('resume', 40_100);
    expect(gate.state).toBe('recording');
    expect(transitions(seen)).toEqual([
      [12.34, 'paused', 'set', 'sdp-hold-pbx'],
      [40.1, 'recording', 'cleared', 'sdp-hold-pbx'],
    ]);
    expect(gate.holdIntervals(60_000)).toEqual([
      { start: 0, end: 1, cause: 'unknown' },
      { start: 12.34, end: 40.1, cause: 'sdp-hold-pbx' },
    ]);
  });

  it('a hold answer (recvonly/inactive from the answerer) also pauses at once', () => {
    const gate = established();
    gate.sdpOffer({ leg: 'caller', exchangeId: 'r', hold: false }, 3000);
    gate.sdpAnswer({ leg: 'pbx', exchangeId: 'r', hold: true }, 3100);
    expect(gate.causes).toEqual(['sdp-hold-pbx']);
  });

  it('a rejected hold offer restores the state before it', () => {
    const gate = established();
    gate.sdpOffer({ leg: 'caller', exchangeId: 'h', hold: true }, 5000);
    expect(gate.state).toBe('paused');
    gate.exchangeFailed('h', 5200);
    expect(gate.state).toBe('recording');
    expect(gate.causes).toEqual([]);
    // a later commit of the failed exchange id is ignored
    gate.exchangeCommitted('h', 5300);
    expect(gate.state).toBe('recording');
  });

  it('a rejected resume leaves the call on hold', () => {
    const gate = established();
    gate.sdpOffer({ leg: 'pbx', exchangeId: 'h', hold: true }, 5000);
    gate.exchangeCommitted('h', 5100);
    gate.sdpOffer({ leg: 'pbx', exchangeId: 'r', hold: false }, 9000);
    gate.exchangeFailed('r', 9100);
    expect(gate.causes).toEqual(['sdp-hold-pbx']);
    const n = gate.events.length;
    gate.exchangeFailed('r', 9200); // duplicate failure
    expect(gate.events.length).toBe(n);
  });

  it('glare: both sides offer, both get 491, nothing changes; the retry commits', () => {
    const gate = established();
    gate.sdpOffer({ leg: 'pbx', exchangeId: 'h', hold: true }, 5000);
    gate.exchangeCommitted('h', 5100);
    gate.sdpOffer({ leg: 'pbx', exchangeId: 'g1', hold: false }, 8000);
    gate.sdpOffer({ leg: 'caller', exchangeId: 'g2', hold: true }, 8001);
    expect(gate.causes).toEqual(['sdp-hold-caller', 'sdp-hold-pbx']);
    gate.exchangeFailed('g1', 8010);
    gate.exchangeFailed('g2', 8011);
    expect(gate.causes).toEqual(['sdp-hold-pbx']);
    gate.sdpOffer({ leg: 'pbx', exchangeId: 'g3', hold: false }, 10_000);
    gate.sdpAnswer({ leg: 'caller', exchangeId: 'g3', hold: false }, 10_010);
    gate.exchangeCommitted('g3', 10_020);
    expect(gate.state).toBe('recording');
  });

  it('a session refresh with unchanged hold state emits nothing', () => {
    const gate = established();
    const before = gate.events.length;
    gate.sdpOffer({ leg: 'caller', exchangeId: 'refresh', hold: false }, 900_000);
    gate.sdpAnswer({ leg: 'pbx', exchangeId: 'refresh', hold: false }, 900_010);
    gate.exchangeCommitted('refresh', 900_020);
    expect(gate.events.length).toBe(before);
    // and a refresh while on hold keeps the hold
    gate.sdpOffer({ leg: 'pbx', exchangeId: 'h', hold: true }, 901_000);
    gate.exchangeCommitted('h', 901_010);
    const held = gate.events.length;
    gate.sdpOffer({ leg: 'pbx', exchangeId: 'refresh2', hold: true }, 902_000);
    gate.sdpAnswer({ leg: 'caller', exchangeId: 'refresh2', hold: false }, 902_010);
    gate.exchangeCommitted('refresh2', 902_020);
    expect(gate.events.length).toBe(held);
    expect(gate.state).toBe('paused');
  });

  it('a duplicate hold (retransmission, repeated re-INVITE) is idempotent', () => {
    const gate = established();
    gate.sdpOffer({ leg: 'pbx', exchangeId: 'h', hold: true }, 5000);
    gate.sdpOffer({ leg: 'pbx', exchangeId: 'h', hold: true }, 5500);
    gate.exchangeCommitted('h', 5600);
    gate.sdpOffer({ leg: 'pbx', exchangeId: 'h2', hold: true }, 6000);
    gate.exchangeCommitted('h2', 6100);
    gate.exchangeCommitted('h2', 6200);
    expect(gate.events.filter((e) => e.cause === 'sdp-hold-pbx')).toHaveLength(1);
  });

  it('offer-less re-INVITE: offer in the 200, answer in the ACK, committed at ACK', () => {
    const gate = established();
    gate.sdpOffer({ leg: 'pbx', exchangeId: 'ol', hold: true }, 7000); // offer in the 200
    expect(gate.state).toBe('paused');
    gate.sdpAnswer({ leg: 'caller', exchangeId: 'ol', hold: false }, 7050); // answer in ACK
    gate.exchangeCommitted('ol', 7050);
    expect(gate.causes).toEqual(['sdp-hold-pbx']);
  });

  it('overlapping causes: paused until all are cleared', () => {
    const gate = established();
    gate.sdpOffer({ leg: 'pbx', exchangeId: 'h', hold: true }, 10_000);
    gate.exchangeCommitted('h', 10_010);
    gate.apiPause('supervisor', 11_000);
    gate.musicDetected({ onsetMs: 11_500, confident: true }, 12_000);
    gate.consent('refused', 13_000);
    expect(gate.causes).toEqual(['sdp-hold-pbx', 'music-on-hold', 'api', 'consent-refused']);
    gate.sdpOffer({ leg: 'pbx', exchangeId: 'r', hold: false }, 20_000);
    gate.exchangeCommitted('r', 20_010);
    gate.musicEnded(21_000);
    gate.apiResume(22_000);
    expect(gate.state).toBe('paused');
    gate.consent('granted', 23_000);
    expect(gate.state).toBe('recording');
    expect(gate.events.find((e) => e.cause === 'api')?.reason).toBe('supervisor');
    const resumed = gate.events.filter((e) => e.state === 'recording');
    expect(resumed.at(-1)?.t).toBe(23);
    expect(gate.isPausedAt(22_999)).toBe(true);
    expect(gate.isPausedAt(23_000)).toBe(false);
  });

  it('consent pending and an unrecordable codec are fail-closed causes', () => {
    const gate = established({ consent: 'pending' });
    expect(gate.causes).toEqual(['consent-pending']);
    gate.consent('granted', 8000);
    gate.recordable(false, 9000);
    expect(gate.causes).toEqual(['unrecordable']);
    gate.recordable(true, 9500);
    expect(gate.state).toBe('recording');
  });

  it('queue wait: paused from the start until the wait ends, once; other causes still count', () => {
    const gate = established({ queueWait: true, maxBackdateMs: 2500 });
    expect(gate.causes).toEqual(['queue-wait']);
    expect(gate.waitingInQueue).toBe(true);
    gate.musicDetected({ onsetMs: 3000, confident: true }, 4000);
    gate.musicEnded(9000);
    // Music ending is not the wait ending.
    expect(gate.causes).toEqual(['queue-wait']);
    // The agent was bridged at 20 s and it is noticed at 21 s: recorded from 20 s on.
    gate.recordable(true, 21_000);
    gate.queueWaitEnded(20_000);
    expect(gate.state).toBe('recording');
    expect(gate.waitingInQueue).toBe(false);
    expect(gate.isPausedAt(19_999)).toBe(true);
    expect(gate.isPausedAt(20_000)).toBe(false);
    const events = gate.events.length;
    gate.queueWaitEnded(25_000);
    expect(gate.events.length).toBe(events);
    expect(gate.holdIntervals(30_000).filter((h) => h.cause === 'queue-wait')).toEqual([
      { start: 0, end: 20, cause: 'queue-wait' },
    ]);
    // Without queueWait there is no wait to end.
    const plain = established();
    plain.queueWaitEnded(5000);
    expect(plain.causes).toEqual([]);
    expect(plain.waitingInQueue).toBe(false);
  });

  it('back-dates a music onset (within D), never before the last event', () => {
    const gate = established({ maxBackdateMs: 2500 });
    gate.musicDetected({ onsetMs: 30_000, confident: true }, 31_500);
    expect(gate.events.at(-1)).toMatchObject({ t: 30, state: 'paused', cause: 'music-on-hold' });
    expect(gate.isPausedAt(29_999)).toBe(false);
    expect(gate.isPausedAt(30_000)).toBe(true);
    // onset older than D is clamped to now - D (the delay line cannot reach further)
    const g2 = established({ maxBackdateMs: 2500 });
    g2.musicDetected({ onsetMs: 10_000, confident: true }, 20_000);
    expect(g2.events.at(-1)?.t).toBe(17.5);
    // and so is a music end told later than D after it: what left the delay line stayed paused
    g2.musicEnded(20_100, 30_000);
    expect(g2.events.at(-1)).toMatchObject({ t: 27.5, state: 'recording' });
    expect(g2.isPausedAt(27_499)).toBe(true);
    // a back-dated music end keeps what followed it
    gate.musicEnded(40_000);
    gate.musicDetected({ onsetMs: 50_000, confident: true }, 51_000);
    gate.musicEnded(55_000); // reported late, at or after 55 s
    expect(gate.isPausedAt(54_999)).toBe(true);
    expect(gate.isPausedAt(55_000)).toBe(false);
    // told what the delay line still holds (a call that releases only after deciding), a late
    // decision reaches that far, past D before the time it is told
    const g3 = established({ maxBackdateMs: 2500 });
    g3.musicDetected({ onsetMs: 10_000, confident: true }, 12_800, 9_900);
    expect(g3.events.at(-1)).toMatchObject({ t: 10, state: 'paused', cause: 'music-on-hold' });
    // and no further
    const g4 = established({ maxBackdateMs: 2500 });
    g4.musicDetected({ onsetMs: 10_000, confident: true }, 12_800, 10_200);
    expect(g4.events.at(-1)?.t).toBe(10.2);
  });

  it('unsure music pauses as unknown; confirmation turns it into music-on-hold', () => {
    const gate = established();
    gate.musicDetected({ onsetMs: 5000, confident: false }, 6000);
    expect(gate.causes).toEqual(['unknown']);
    gate.musicDetected({ onsetMs: 5000, confident: true }, 7000);
    expect(gate.causes).toEqual(['music-on-hold']);
    expect(gate.isPausedAt(5000)).toBe(true);
    gate.musicEnded(9000);
    expect(gate.state).toBe('recording');
  });

  it('isolates a throwing listener and replays past events on request', () => {
    const gate = new HoldGate();
    const replayed: GateEvent[] = [];
    gate.onEvent(() => {
      throw new Error('boom');
    });
    gate.onEvent((e) => replayed.push(e), true);
    expect(replayed.map((e) => e.cause)).toEqual(['unknown']);
    expect(() => gate.apiPause('x', 100)).not.toThrow();
    expect(replayed).toHaveLength(2);
  });
});
