import type { HoldDecision, HoldMusicDetector } from '../../src/detect/types.js';
import { HoldGate, tellGateMusic } from '../../src/gate/index.js';
import { POLL_MS } from '../../src/calls/poll-timing.js';

/**
 * A call's gate as the benches model it: the real `HoldGate` with the delay line `delayMs` as its
 * reach, the call's SDP committed as not on hold (only music pauses it). Tell it a decision on
 * the frame at t with {@link tellCallGate}, as a call does at the poll after the frame. The
 * detectors themselves are told the reach that leaves a frame arriving up to a poll late
 * (`decisionReachMs`), as a call tells them.
 */
export function callGate(delayMs: number): HoldGate {
  return new HoldGate({ maxBackdateMs: delayMs, initialSdp: { caller: false, pbx: false } });
}

/**
 * Tells `gate` a decision on the frame at `t` as a call does (`CallRecording.poll`): at the poll
 * after the frame, a poll later at most, with the call's guards (`tellGateMusic`), reaching every
 * frame the delay line still holds. A call releases only after each poll's decisions, so it
 * still holds what came after its previous poll's time less D: at the latest, the frame's own
 * time less D. Release up to that after the frame (`DelayLine.release`).
 */
export function tellCallGate(
  gate: HoldGate,
  decision: Pick<HoldDecision, 'state' | 'onsetMs' | 'confident'>,
  t: number,
  delayMs: number,
): void {
  tellGateMusic(gate, decision, t + POLL_MS, t - delayMs);
}

/** A change of state the gate acts on: decided on the frame at `t` (ms). */
export interface GateDecision {
  readonly t: number;
  readonly state: 'hold' | 'no-hold';
  /** The hold began as a provisional pause (`HoldDecision.provisional`). */
  readonly provisional: boolean;
}

/**
 * The benches' model of a call's gate: `pcm` is fed to `detector` frame by frame (frame k at call
 * time k × 20 ms), each decision is told to a {@link callGate} a poll after its frame, and a
 * frame is paused when the gate is paused at its time as it leaves the delay line, D after it
 * (`DelayLine`: a later decision no longer reaches it). Only changes of state are returned as
 * decisions.
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
  const gate = callGate(delayMs);
  const decisions: GateDecision[] = [];
  let state: 'hold' | 'no-hold' = 'no-hold';
  const push = (k: number, t: number): HoldDecision | undefined => {
    frame.set(pcm.subarray(k * 160, k * 160 + 160));
    const t0 = timings ? process.hrtime.bigint() : 0n;
    const d = detector.push(frame, t);
    if (timings) timings.push(Number(process.hrtime.bigint() - t0) / 1000);
    return d;
  };
  const paused = new Uint8Array(n);
  /** Frames before this one have left the delay line, paused or written as the gate said then. */
  let released = 0;
  const release = (upToMs: number): void => {
    for (; released < n && released * 20 <= upToMs; released++)
      paused[released] = gate.isPausedAt(released * 20) ? 1 : 0;
  };
  for (let k = 0; k < n; k++) {
    const t = k * 20;
    const d = lost?.[k] === 1 ? undefined : push(k, t);
    if (d !== undefined) {
      // Every decision goes to the gate, as in a call (a hold made sure moves its last change);
      // only a change of state is a decision of the benches' counts.
      tellCallGate(gate, d, t, delayMs);
      if (d.state !== state) {
        state = d.state;
        decisions.push({ t, state: d.state, provisional: d.provisional === true });
      }
    }
    // Then the poll releases what is D old (`DelayLine.release`): at the latest, the frame D
    // before this one.
    release(t - delayMs);
  }
  release(Infinity);
  return { decisions, paused };
}
