import type { HoldMusicDetector } from '../../src/detect/types.js';

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
 * time k × 20 ms), and a decision taken at t with onset o takes effect from max(o, t − D), D being
 * `delayMs`; only a change of state counts, and a later decision overrides an earlier one.
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
  for (let k = 0; k < n; k++) {
    frame.set(pcm.subarray(k * 160, k * 160 + 160));
    const t = k * 20;
    if (lost?.[k] === 1) continue;
    const t0 = timings ? process.hrtime.bigint() : 0n;
    const d = detector.push(frame, t);
    if (timings) timings.push(Number(process.hrtime.bigint() - t0) / 1000);
    if (d === undefined || d.state === state) continue;
    state = d.state;
    decisions.push({
      t,
      state: d.state,
      from: Math.max(d.onsetMs, t - delayMs),
      provisional: d.provisional === true,
    });
  }
  // Decisions may reach back up to D: each applies from its effective time on.
  const paused = new Uint8Array(n);
  for (const d of decisions)
    paused.fill(d.state === 'hold' ? 1 : 0, Math.max(0, Math.floor(d.from / 20)));
  return { decisions, paused };
}
