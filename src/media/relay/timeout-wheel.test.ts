import { describe, expect, it } from 'vitest';
import { TimeoutWheel, type WheelEntry } from './timeout-wheel.js';

describe('TimeoutWheel', () => {
  it('expires idle entries once, keeps active ones, handles timeouts longer than a revolution', () => {
    const expired: string[] = [];
    type E = WheelEntry & { name: string };
    const wheel = new TimeoutWheel<E>(10, (e) => expired.push(`${e.name}@${wheel.now}`), 8);
    const idle: E = { name: 'idle', lastActivityTick: 0, timeoutTicks: 3 };
    const busy: E = { name: 'busy', lastActivityTick: 0, timeoutTicks: 3 };
    const long: E = { name: 'long', lastActivityTick: 0, timeoutTicks: 20 };
    const gone: E = { name: 'gone', lastActivityTick: 0, timeoutTicks: 2 };
    for (const e of [idle, busy, long, gone]) wheel.add(e);
    wheel.remove(gone);
    for (let t = 0; t < 10; t++) {
      wheel.advance();
      busy.lastActivityTick = wheel.now; // a packet every tick
    }
    expect(expired).toEqual(['idle@3']);
    for (let t = 0; t < 15; t++) wheel.advance();
    expect(expired).toEqual(['idle@3', 'busy@13', 'long@20']);
    expect(wheel.size).toBe(0);
  });
});
