/**
 * How often every recording drains its taps, runs the hold-music detectors and releases its delay
 * line, ms (`RecordingHub`): a call decides on a frame up to one poll after the frame's time.
 */
export const POLL_MS = 20;

/**
 * How far back from a frame's own time the detectors may count on a decision on it reaching,
 * with a delay line of `delayMs`: D less a poll (0 for a delay line of a poll or less: no
 * provisional pauses). A call releases its delay line only after each poll's decisions
 * (`CallRecording.poll`), so a decision reaches every frame after the previous poll's time less
 * D: D back from a frame that came on time, however late the poll. The poll's worth kept back is
 * for a frame that arrives late (the sampling clock places it by its timestamp, before its
 * arrival): up to a poll late, it is still reached this far back.
 * The detectors time their provisional pauses against this (issue 5, stop 38): told D itself,
 * they paused on the frame whose onset had just reached D, when the call released before deciding
 * and that frame had left the delay line; `npm run bench -- moh --unseen`, modelling that poll,
 * counted two more starts (`hr3-caves`, `audio-track25`) leaking a frame that way.
 */
export function decisionReachMs(delayMs: number): number {
  return Math.max(0, delayMs - POLL_MS);
}
