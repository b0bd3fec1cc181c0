/**
 * The contract between hold-music detectors and the call (issue 5). A detector is pure: decoded
 * 8 kHz PCM16 frames of the PBX→caller direction in (20 ms, 160 samples, each with its call time),
 * decisions out. No timers, no I/O, no allocation per frame.
 */

/** A change of the detector's opinion. `onsetMs` may lie in the past (the delay line covers it). */
export interface HoldDecision {
  readonly state: 'hold' | 'no-hold';
  /** Call time (ms) at which the new state began, by the detector's best estimate. */
  readonly onsetMs: number;
  /** Which detector decided: `known-music` (fingerprint match) or `music-classifier`. */
  readonly cause: string;
  /** false: the detector suspects hold but is not sure (the gate then fails closed as `unknown`). */
  readonly confident: boolean;
  /**
   * A release only: the call time up to which the detector is sure the music still played. The
   * classifier decides a release seconds after the voice began, so what lies between may be the
   * agent; learning (issue 5, Build 3) keeps nothing after it. Absent: `onsetMs`.
   */
  readonly musicEndMs?: number;
  /**
   * A hold only: the music may have begun before `onsetMs`. A match against learned audio (a
   * fragment of a track, learned from where the classifier decided a hold, mid-music) does not
   * show when the music started: the episode then starts a little earlier, or at an earlier onset
   * another detector is gathering evidence for (see `AnyHold`).
   */
  readonly onsetOpen?: boolean;
  /**
   * A provisional pause, or its end: the detector's evidence for a hold reached the delay line's
   * exit before it could decide (the classifier's `delayLineMs`). Its hold is `confident: false`
   * (paused as `unknown`); a no-hold follows at the pause's own onset unless the hold is decided.
   * Not a detection: nothing is learned from it and it is not counted as one.
   */
  readonly provisional?: boolean;
}

export interface HoldMusicDetector {
  /**
   * Feed one 20 ms frame (160 samples at 8 kHz) with its call time in ms. Returns a decision
   * only when the state changes, else undefined.
   */
  push(frame: Int16Array, callTimeMs: number): HoldDecision | undefined;
  /** Bytes of state this detector keeps per stream (for the benchmark). */
  readonly stateBytes: number;
  /**
   * How long after a release's `musicEndMs` the release may be decided, at most (ms): what
   * learning holds back before it hands audio over. Absent: the release is decided at once.
   */
  readonly releaseLagMs?: number;
  /**
   * Out of hold, where a hold this detector has begun to gather evidence for would begin if it
   * were decided now; undefined while it gathers none, or holds. Absent: the detector has no such
   * estimate.
   */
  readonly pendingOnsetMs?: number | undefined;
  /**
   * While the stream's start is still being judged (the silent start): where the stream began. A
   * hold another detector decides meanwhile begins there (see `AnyHold`). Absent or undefined:
   * no start is open.
   */
  readonly openStartMs?: number | undefined;
  /**
   * true: the detector is fed, until the stream's first packet, a frame of silence per 20 ms
   * from when media may flow (`CallRecording`): what the caller hears then. Absent or false: the
   * detector hears the stream from its first packet.
   */
  readonly hearsSilenceBeforeStream?: boolean;
  reset(): void;
}
