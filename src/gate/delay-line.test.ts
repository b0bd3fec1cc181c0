import { describe, it, expect } from 'vitest';
import { DelayLine, FRAME_SAMPLES, type Direction } from './delay-line.js';
import { HoldGate } from './hold-gate.js';

interface Out {
  dir: Direction;
  t: number;
  first: number;
}

function harness(delayMs: number) {
  const gate = new HoldGate({ initialSdp: { caller: false, pbx: false }, maxBackdateMs: delayMs });
  const released: Out[] = [];
  const dropped: Out[] = [];
  const line = new DelayLine(
    gate,
    {
      frame: (dir, t, pcm) => released.push({ dir, t, first: pcm[0]! }),
      dropped: (dir, t) => dropped.push({ dir, t, first: 0 }),
    },
    { delayMs },
  );
  const pcm = new Int16Array(FRAME_SAMPLES);
  /** Feeds frames of both directions from `fromMs` to `toMs`, sample 0 = t / 20 (+10000 agent). */
  const feed = (fromMs: number, toMs: number, onEach?: (t: number) => void) => {
    for (let t = fromMs; t < toMs; t += 20) {
      pcm[0] = t / 20;
      line.push('caller', t, pcm);
      pcm[0] = t / 20 + 10_000;
      line.push('agent', t, pcm);
      onEach?.(t);
    }
  };
  return { gate, line, released, dropped, feed };
}

describe('DelayLine', () => {
  it('holds frames D ms, releases them in call-time order, copies each frame', () => {
    const { line, released, feed } = harness(2500);
    feed(0, 2500);
    expect(released).toHaveLength(0);
    expect(line.buffered).toBe(250);
    feed(2500, 3000);
    expect(released.length).toBe(2 * 25); // 0..480 ms are due at 2500..2980 ms
    expect(released.slice(0, 4)).toEqual([
      { dir: 'caller', t: 0, first: 0 },
      { dir: 'agent', t: 0, first: 10_000 },
      { dir: 'caller', t: 20, first: 1 },
      { dir: 'agent', t: 20, first: 10_001 },
    ]);
    line.flush();
    expect(released.length).toBe(300);
    const times = released.map((r) => r.t);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(released.every((r) => r.first === r.t / 20 + (r.dir === 'agent' ? 10_000 : 0))).toBe(
      true,
    );
  });

  it('D = 2500: a music onset back-dated 1.5 s cuts from the onset on', () => {
    const { gate, line, released, dropped, feed } = harness(2500);
    feed(0, 11_500, (t) => {
      if (t === 11_480) gate.musicDetected({ onsetMs: 10_000, confident: true }, t);
    });
    feed(11_500, 20_000, (t) => {
      if (t === 15_000) gate.musicEnded(14_000); // recognised 1 s late: 14..15 s is kept
    });
    line.flush();
    const rel = released.map((r) => r.t);
    expect(rel.filter((t) => t >= 10_000 && t < 14_000)).toEqual([]);
    expect(rel.filter((t) => t >= 9_000 && t < 10_000)).toHaveLength(100);
    expect(rel.filter((t) => t >= 14_000 && t < 15_000)).toHaveLength(100);
    expect(dropped).toHaveLength(2 * 200);
    expect(line.stats).toEqual({ released: 2 * 800, dropped: 400, overflow: 0 });
  });

  it('D = 0: frames are decided as they arrive; back-dating cannot reach the past', () => {
    const { gate, line, released, dropped, feed } = harness(0);
    expect(line.buffered).toBe(0);
    feed(0, 1000, (t) => {
      if (t === 500) gate.musicDetected({ onsetMs: 300, confident: true }, t);
    });
    feed(1000, 2000, (t) => {
      if (t === 1500) gate.musicEnded(t);
    });
    line.flush();
    // frames up to 500 were out before the late detection; the cut starts at detection time
    expect(released.filter((r) => r.t <= 500 && r.dir === 'caller')).toHaveLength(26);
    // ...and the frame at 1500 ms was decided before musicEnded(1500) arrived
    expect(dropped.every((d) => d.t > 500 && d.t <= 1500)).toBe(true);
    expect(dropped).toHaveLength(2 * 50);
    expect(gate.events.at(-2)?.t).toBe(0.5);
  });

  it('an SDP hold closes at once and a committed resume lets later frames through', () => {
    const { gate, line, released, feed } = harness(2500);
    feed(0, 6000, (t) => {
      if (t === 2000) gate.sdpOffer({ leg: 'pbx', exchangeId: 'h', hold: true }, t);
      if (t === 2100) gate.exchangeCommitted('h', t);
      if (t === 4000) gate.sdpOffer({ leg: 'pbx', exchangeId: 'r', hold: false }, t);
      if (t === 4100) gate.exchangeCommitted('r', t);
    });
    line.flush();
    const callerTimes = released.filter((r) => r.dir === 'caller').map((r) => r.t);
    expect(callerTimes.filter((t) => t >= 2000 && t < 4100)).toEqual([]);
    expect(callerTimes).toContain(1980);
    expect(callerTimes).toContain(4100);
  });

  it('a full ring drops its oldest frame (fail closed) instead of allocating', () => {
    const { line, released } = harness(100);
    const pcm = new Int16Array(FRAME_SAMPLES);
    // pushes whose "now" never advances: nothing becomes due
    for (let i = 0; i < 200; i++) line.push('caller', i * 20, pcm, 0);
    expect(line.stats.overflow).toBe(200 - (5 + 100));
    expect(released).toHaveLength(0);
    line.flush();
    expect(released[0]?.t).toBe(95 * 20);
  });

  it('accepts without releasing, and says what it may still hold', () => {
    const { line, released } = harness(100);
    const pcm = new Int16Array(FRAME_SAMPLES);
    expect(line.heldFromMs).toBe(-Infinity);
    for (let i = 0; i < 20; i++) line.accept('agent', i * 20, pcm);
    expect(released).toHaveLength(0);
    line.release(300);
    expect(released.map((r) => r.t)).toEqual([0, 20, 40, 60, 80, 100, 120, 140, 160, 180, 200]);
    expect(line.heldFromMs).toBe(200);
  });

  it('zero-pads short frames', () => {
    const { line, released } = harness(0);
    const got: number[] = [];
    const l2 = new DelayLine(
      { isPausedAt: () => false },
      { frame: (_d, _t, pcm) => got.push(pcm.length, pcm[10]!, pcm[159]!) },
      { delayMs: 0 },
    );
    l2.push('caller', 0, new Int16Array(FRAME_SAMPLES).fill(7));
    l2.push('caller', 20, new Int16Array(12).fill(5));
    expect(got).toEqual([160, 7, 7, 160, 5, 0]);
    expect(line.buffered + released.length).toBe(0);
  });
});
