import type { HoldDecision, HoldMusicDetector } from '../../src/detect/types.js';
import { musicPauseFromMs, musicResumeAtMs } from '../../src/gate/index.js';
import { POLL_MS } from '../../src/calls/poll-timing.js';

/**
 * Where a call's gate puts `decision`, taken on the frame at `t`, with delay line `delayMs` and
 * the gate's last change at `lastFromMs`: the onset with the call's guards (a pause 100 ms before
 * it, a release 100 ms after it, `musicPauseFromMs`, `musicResumeAtMs`), no earlier than what the
 * delay line still holds at the poll that decides, a poll (`POLL_MS`) after the frame at most,
 * nor than the gate's last change (`HoldGate`), nor later than that poll. The detectors
 * themselves are told the reach that leaves (`decisionReachMs`), as a call tells them.
 */
export function gateFromMs(
  decision: HoldDecision,
  t: number,
  delayMs: number,
  lastFromMs = 0,
): number {
  const now = t + POLL_MS;
  const want =
    decision.state === 'hold'
      ? musicPauseFromMs(decision.onsetMs)
      : musicResumeAtMs(decision.onsetMs, now);
  return Math.min(now, Math.max(want, now - delayMs, lastFromMs, 0));
}

/** A change of state the gate acts on: decided on the frame at `t`, in effect from `from` (ms). */
export interface GateDecision {
  readonly t: number;
  readonly state: 'hold' | 'no-hold';
  readonly from: number;
  /** The hold began as a provisional pause (`HoldDecision.provisional`). */
  readonly provisional: boolean;
}

/**
 * The benches' model of a call's gate: `pcm` is fed to `detector` frame by frame (frame k at call
 * time k × 20 ms), and a decision taken at t takes effect where a call's gate puts it
 * ({@link gateFromMs}: its onset with the call's guards, within what the delay line D = `delayMs`
 * still holds a poll later); only a change of state counts, and each applies from its effective
 * time on.
 * `lost` frames are not fed at all; `timings` gets the µs of each push.
 * Returns the decisions and, per frame, whether the gate pauses it.
 */
export function gateModel(
  detector: HoldMusicDetector,
  pcm: Int16Array,
  delayMs: number,
  { lost = null, timings = null }: { lost?: Uint8Array | null; timings?: number[] | null } = {},
): { decisions: GateDecision[]; paused: Uint8Array } {
  const frame = new Int16Array(160);
  const n = Math.floor(pcm.length / 160);
  const decisions: GateDecision[] = [];
  let state: 'hold' | 'no-hold' = 'no-hold';
  let lastFrom = 0;
  for (let k = 0; k < n; k++) {
    frame.set(pcm.subarray(k * 160, k * 160 + 160));
    const t = k * 20;
    if (lost?.[k] === 1) continue;
    const t0 = timings ? process.hrtime.bigint() : 0n;
    const d = detector.push(frame, t);
    if (timings) timings.push(Number(process.hrtime.bigint() - t0) / 1000);
    if (d === undefined || d.state === state) continue;
    state = d.state;
    lastFrom = gateFromMs(d, t, delayMs, lastFrom);
    decisions.push({ t, state: d.state, from: lastFrom, provisional: d.provisional === true });
  }
  // Decisions may reach back up to D: each applies from its effective time on.
  const paused = new Uint8Array(n);
  for (const d of decisions)
    paused.fill(d.state === 'hold' ? 1 : 0, Math.max(0, Math.floor(d.from / 20)));
  return { decisions, paused };
}
