import { describe, expect, it } from 'vitest';
import { measureKnownMusic } from './bench.js';
import { mohPath } from './test-signals.js';

describe('measureKnownMusic', () => {
  it('reports per-frame time percentiles and state bytes over the fed frames', async () => {
    const r = await measureKnownMusic({
      knownFiles: [mohPath('manolo_camp-morning_coffee')],
      signalFiles: [mohPath('manolo_camp-morning_coffee')],
      seconds: 4,
    });
    expect(r.frames).toBe(200);
    expect(r.libraryFrames).toBeGreaterThan(2 * 3600);
    expect(r.usPerFrameMedian).toBeGreaterThan(0);
    expect(r.usPerFrameP99).toBeGreaterThanOrEqual(r.usPerFrameMedian);
    expect(r.stateBytes).toBeGreaterThan(1000);
  });
});
