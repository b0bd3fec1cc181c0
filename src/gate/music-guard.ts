import type { HoldDecision } from '../detect/types.js';
import type { HoldGate } from './hold-gate.js';

/**
 * Safety margins around a detected music episode (issue 5: no leaked hold audio): a detector's
 * onset and end estimates are good to a frame or two, and stopping early (or resuming late) is
 * the safe side. Both fit well inside the delay line.
 */
const MUSIC_GUARD_BEFORE_MS = 100;
const MUSIC_GUARD_AFTER_MS = 100;

/**
 * Tells `gate` a call's hold-music decision (its detectors combined), decided at `nowMs`: a hold
 * pauses from the guard before its onset, a release resumes at the guard after its onset, never
 * later than the decision. The gate itself keeps either within what the delay line still holds
 * (`heldFromMs`, `DelayLine.heldFromMs`; default: D before `nowMs`) and after
 * its last change. A call and the benches' model of it (`bench/support/gate-model.ts`) both go
 * through here.
 */
export function tellGateMusic(
  gate: HoldGate,
  decision: Pick<HoldDecision, 'state' | 'onsetMs' | 'confident'>,
  nowMs: number,
  heldFromMs?: number,
): void {
  if (decision.state === 'hold') {
    const onsetMs = Math.max(0, decision.onsetMs - MUSIC_GUARD_BEFORE_MS);
    gate.musicDetected({ onsetMs, confident: decision.confident }, nowMs, heldFromMs);
  } else {
    gate.musicEnded(Math.min(nowMs, decision.onsetMs + MUSIC_GUARD_AFTER_MS), nowMs);
  }
}
