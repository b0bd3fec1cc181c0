import { describe, it, expect } from 'vitest';
import { HoldGate } from '../gate/hold-gate.js';
import { holdIntervalsFromEvents, pauseLayout } from './pause-layout.js';
import type { RecorderGateEvent } from './spool-format.js';

const events: RecorderGateEvent[] = [
  { t: 0, state: 'paused', cause: 'unknown', change: 'set' },
  { t: 3.2, state: 'recording', cause: 'unknown', change: 'cleared' },
  { t: 12.34, state: 'paused', cause: 'sdp-hold-pbx', change: 'set' },
  { t: 20, state: 'paused', cause: 'api', change: 'set' },
  { t: 30, state: 'paused', cause: 'api', change: 'cleared' },
  { t: 40.1, state: 'recording', cause: 'sdp-hold-pbx', change: 'cleared' },
];

describe('pauseLayout', () => {
  it('gap: paused time is cut out; segments map file time to call time', () => {
    const layout = pauseLayout(events, 50_000, 'gap');
    expect(layout.segments).toEqual([
      { fileStart: 0, callStart: 3.2, duration: 9.14, kind: 'audio' },
      { fileStart: 9.14, callStart: 40.1, duration: 9.9, kind: 'audio' },
    ]);
    expect(layout.fileSlots * 20).toBe(19_040);
    expect(layout.paused[Math.round(12_320 / 20)]).toBe(0);
    expect(layout.paused[Math.round(12_340 / 20)]).toBe(1);
  });

  it('silence: file time = call time; silence stretches are listed', () => {
    const layout = pauseLayout(events, 50_000, 'silence');
    expect(layout.segments).toEqual([
      { fileStart: 0, callStart: 0, duration: 3.2, kind: 'silence' },
      { fileStart: 3.2, callStart: 3.2, duration: 9.14, kind: 'audio' },
      { fileStart: 12.34, callStart: 12.34, duration: 27.76, kind: 'silence' },
      { fileStart: 40.1, callStart: 40.1, duration: 9.9, kind: 'audio' },
    ]);
    expect(layout.fileSlots).toBe(2500);
  });

  it('with no events the whole call is recorded; a call end mid-frame rounds up', () => {
    expect(pauseLayout([], 1010, 'gap').segments).toEqual([
      { fileStart: 0, callStart: 0, duration: 1.02, kind: 'audio' },
    ]);
  });

  it('hold intervals per cause, open causes closed at the end, agree with the gate', () => {
    expect(holdIntervalsFromEvents(events, 50_000)).toEqual([
      { start: 0, end: 3.2, cause: 'unknown' },
      { start: 12.34, end: 40.1, cause: 'sdp-hold-pbx' },
      { start: 20, end: 30, cause: 'api' },
    ]);
    const gate = new HoldGate();
    gate.sdpOffer({ leg: 'caller', exchangeId: 'i', hold: false }, 0);
    gate.sdpAnswer({ leg: 'pbx', exchangeId: 'i', hold: false }, 100);
    gate.exchangeCommitted('i', 200);
    gate.musicDetected({ onsetMs: 5000, confident: true }, 6000);
    gate.apiPause('qa', 7000);
    gate.musicEnded(9000);
    expect(holdIntervalsFromEvents(gate.events, 12_000)).toEqual(gate.holdIntervals(12_000));
  });
});
