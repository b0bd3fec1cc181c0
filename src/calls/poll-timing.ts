/**
 * How often every recording drains its taps, runs the hold-music detectors and releases its delay
 * line, ms (`RecordingHub`): a call decides on a frame up to one poll after the frame's time.
 */
export const POLL_MS = 20;

/**
 * How far back from a frame's own time a decision on it still reaches, with a delay line of
 * `delayMs`: the gate reaches D back from the poll that decides, up to a poll after the frame
 * (0 for a delay line of a poll or less: no provisional pauses).
 * The detectors time their provisional pauses against this (issue 5, stop 38): told D itself,
 * they paused on the frame whose onset had just reached D, a poll after that frame had left the
 * delay line; `npm run bench -- moh --unseen`, modelling the poll, counted two more starts
 * (`hr3-caves`, `audio-track25`) leaking a frame that way.
 */
export function decisionReachMs(delayMs: number): number {
  return Math.max(0, delayMs - POLL_MS);
}
