import { Counter, Histogram, type Registry } from 'prom-client';
import type { RecordingMetadata } from '../recorder/index.js';

/**
 * Prometheus metrics of calls and their recordings (packet-rate signals go here, never to logs).
 * Registered on the same registry the admin API serves at `/metrics`.
 */
export class CallMetrics {
  readonly #recordings: Counter<'status'>;
  readonly #pausedSeconds: Counter<'cause'>;
  readonly #detectionLatency: Histogram<'cause'>;
  readonly #rtpPackets: Counter<'direction'>;
  readonly #rtpLost: Counter<'direction'>;
  readonly #consent: Counter<'queue' | 'outcome'>;
  readonly #queueWaits: Counter<'queue' | 'outcome'>;

  constructor(registry: Registry) {
    this.#recordings = new Counter({
      name: 'holdgate_recordings_finished_total',
      help: 'Recordings that reached a final status (complete, incomplete, absent, failed).',
      labelNames: ['status'],
      registers: [registry],
    });
    this.#pausedSeconds = new Counter({
      name: 'holdgate_paused_seconds_total',
      help: 'Call seconds kept out of recordings, by cause (sdp-hold-pbx, music-on-hold, api, ...).',
      labelNames: ['cause'],
      registers: [registry],
    });
    this.#detectionLatency = new Histogram({
      name: 'holdgate_hold_detection_latency_seconds',
      help: 'Time from the onset of hold music to its detection, by detector.',
      labelNames: ['cause'],
      buckets: [0.25, 0.5, 1, 1.5, 2, 2.5, 5, 10],
      registers: [registry],
    });
    this.#rtpPackets = new Counter({
      name: 'holdgate_rtp_packets_total',
      help: 'RTP packets relayed, by direction, counted when a call ends.',
      labelNames: ['direction'],
      registers: [registry],
    });
    this.#rtpLost = new Counter({
      name: 'holdgate_rtp_lost_packets_total',
      help: 'RTP packets lost before reaching holdgate (RFC 3550 A.3), by direction, counted when a call ends.',
      labelNames: ['direction'],
      registers: [registry],
    });
    this.#consent = new Counter({
      name: 'holdgate_consent_outcomes_total',
      help: 'Consent dialogues by queue and outcome (recorded, opted-out, opted-in, no-answer, abandoned); late opt-outs count as opted-out.',
      labelNames: ['queue', 'outcome'],
      registers: [registry],
    });
    this.#queueWaits = new Counter({
      name: 'holdgate_queue_waits_total',
      help: "Recorded calls of queues with detection.queueWait until-new-source, by how the wait ended: agent (the PBX's audio came from a new SSRC) or none (the call ended waiting). A queue whose waits only ever end none has a PBX that bridges its agents on the same SSRC: there the setting records nothing.",
      labelNames: ['queue', 'outcome'],
      registers: [registry],
    });
  }

  /** A consent record was kept (issue 6). */
  consentSettled(queue: string, outcome: string): void {
    this.#consent.inc({ queue, outcome });
  }

  /** A call's media ended: its per-direction RTP counts (RFC 3550 loss: expected − received). */
  mediaFinished(
    stats: Readonly<Record<'caller-to-pbx' | 'pbx-to-caller', { packets: number; lost: number }>>,
  ): void {
    for (const direction of ['caller-to-pbx', 'pbx-to-caller'] as const) {
      this.#rtpPackets.inc({ direction }, stats[direction].packets);
      this.#rtpLost.inc({ direction }, Math.max(0, stats[direction].lost));
    }
  }

  recordingFinished(meta: RecordingMetadata): void {
    this.#recordings.inc({ status: meta.status });
    for (const h of meta.holdIntervals)
      this.#pausedSeconds.inc({ cause: h.cause }, Math.max(0, h.end - h.start));
    const waits = meta.gateEvents.filter((e) => e.cause === 'queue-wait');
    if (waits.length > 0) {
      const ended = waits.some((e) => e.change === 'cleared');
      this.#queueWaits.inc({ queue: meta.queue, outcome: ended ? 'agent' : 'none' });
    }
  }

  /** A detector decided "hold" `latencySeconds` after the onset it reports. */
  holdDetected(cause: string, latencySeconds: number): void {
    this.#detectionLatency.observe({ cause }, Math.max(0, latencySeconds));
  }
}
