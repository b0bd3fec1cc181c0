/**
 * Safety margins around a detected music episode (issue 5: no leaked hold audio): a detector's
 * onset and end estimates are good to a frame or two, and stopping early (or resuming late) is
 * the safe side. Both fit well inside the delay line.
 */
const MUSIC_GUARD_BEFORE_MS = 100;
const MUSIC_GUARD_AFTER_MS = 100;

/** Where the gate pauses for hold music detected from `onsetMs`: the guard before it. */
export function musicPauseFromMs(onsetMs: number): number {
  return Math.max(0, onsetMs - MUSIC_GUARD_BEFORE_MS);
}

/**
 * Where the gate resumes for the end of hold music reported at `onsetMs` and decided at `nowMs`:
 * the guard after it, never later than the decision.
 */
export function musicResumeAtMs(onsetMs: number, nowMs: number): number {
  return Math.min(nowMs, onsetMs + MUSIC_GUARD_AFTER_MS);
}
