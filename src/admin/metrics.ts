/**
 * Prometheus metrics of the admin side, computed at scrape time from call control and the
 * recording catalog. The registry may be shared with the media side (hold seconds, detector
 * latency, RTP loss are registered there).
 */
import { Counter, Gauge, Registry } from 'prom-client';
import type { CallControl } from '../calls/call-control.js';
import type { Store } from '../store/index.js';

export interface AdminMetrics {
  registry: Registry;
  authFailures: Counter;
}

export function createAdminMetrics(
  callControl: CallControl,
  store: Store,
  registry: Registry = new Registry(),
): AdminMetrics {
  new Gauge({
    name: 'holdgate_active_calls',
    help: 'Calls not yet ended.',
    registers: [registry],
    collect() {
      this.set(callControl.list().filter((c) => c.state !== 'ended').length);
    },
  });
  new Gauge({
    name: 'holdgate_calls_by_gate_state',
    help: 'Live calls by recording gate state (recording, paused, not-recorded).',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const counts = { recording: 0, paused: 0, 'not-recorded': 0 };
      for (const c of callControl.list()) if (c.state !== 'ended') counts[c.recording]++;
      for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
    },
  });
  new Gauge({
    name: 'holdgate_calls_paused_by_cause',
    help: 'Live calls with each active pause cause (sdp-hold-pbx, music-on-hold, api, ...).',
    labelNames: ['cause'],
    registers: [registry],
    collect() {
      this.reset();
      for (const c of callControl.list()) {
        if (c.state === 'ended') continue;
        for (const cause of c.pauseCauses) this.inc({ cause });
      }
    },
  });
  new Gauge({
    name: 'holdgate_recordings',
    help: 'Recordings in the catalog by status (complete, failed, deleted, ...).',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const e of await store.catalog.search({})) this.inc({ status: e.status });
    },
  });
  new Gauge({
    name: 'holdgate_recorder_failures',
    help: 'Recordings whose spool or finalization failed (status failed) in the catalog.',
    registers: [registry],
    async collect() {
      this.set((await store.catalog.search({})).filter((e) => e.status === 'failed').length);
    },
  });
  const authFailures = new Counter({
    name: 'holdgate_admin_auth_failures_total',
    help: 'Admin API requests refused for a missing or unknown API key.',
    registers: [registry],
  });
  return { registry, authFailures };
}
