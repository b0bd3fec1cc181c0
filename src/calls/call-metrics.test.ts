import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { RecordingMetadata } from '../recorder/index.js';
import { CallMetrics } from './call-metrics.js';

/** The fields of a finished recording's metadata that the metrics read. */
function finished(
  queue: string,
  gateEvents: RecordingMetadata['gateEvents'],
  holdIntervals: RecordingMetadata['holdIntervals'] = [],
): RecordingMetadata {
  return { queue, status: 'complete', gateEvents, holdIntervals } as unknown as RecordingMetadata;
}

describe('CallMetrics', () => {
  it('counts queue waits by how they ended: agent (a new source) or none (the call ended waiting)', async () => {
    const registry = new Registry();
    const metrics = new CallMetrics(registry);
    const set = { t: 0, state: 'paused' as const, cause: 'queue-wait', change: 'set' as const };
    const cleared = {
      t: 31.2,
      state: 'recording' as const,
      cause: 'queue-wait',
      change: 'cleared' as const,
    };
    metrics.recordingFinished(
      finished('care', [set, cleared], [{ start: 0, end: 31.2, cause: 'queue-wait' }]),
    );
    metrics.recordingFinished(finished('care', [set]));
    metrics.recordingFinished(finished('care', [set, cleared]));
    // A queue without the setting has no queue wait to count.
    metrics.recordingFinished(
      finished('sales', [{ t: 3, state: 'paused', cause: 'music-on-hold', change: 'set' }]),
    );
    const text = await registry.getSingleMetricAsString('holdgate_queue_waits_total');
    expect(text).toMatch(/holdgate_queue_waits_total\{queue="care",outcome="agent"\} 2/);
    expect(text).toMatch(/holdgate_queue_waits_total\{queue="care",outcome="none"\} 1/);
    expect(text).not.toMatch(/sales/);
    expect(await registry.getSingleMetricAsString('holdgate_paused_seconds_total')).toMatch(
      /cause="queue-wait"\} 31\.2/,
    );
  });
});
