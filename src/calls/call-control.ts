/**
 * The narrow call-control interface of holdgate: all the admin API may know about live calls
 * (architecture: admin imports only this from calls/). Plain data out, ids in.
 */

export interface GateEventView {
  /** Call time in seconds. */
  readonly t: number;
  readonly state: 'recording' | 'paused';
  readonly cause: string;
}

export interface CallSummary {
  readonly id: string;
  readonly queue: string;
  readonly from: string;
  readonly to: string;
  /** ISO time the caller's INVITE arrived. */
  readonly startedAt: string;
  readonly state: 'proceeding' | 'consent' | 'early' | 'confirmed' | 'ending' | 'ended';
  /** Recording fork: `recording`, `paused`, or `not-recorded`. */
  readonly recording: 'recording' | 'paused' | 'not-recorded';
  /** Active pause causes (`sdp-hold-pbx`, `music-on-hold`, `api`, ...). */
  readonly pauseCauses: readonly string[];
}

export interface CallDetail extends CallSummary {
  readonly legs: {
    readonly caller: {
      readonly sipCallId: string;
      readonly dialog: 'early' | 'confirmed' | 'terminated' | 'none';
    };
    readonly pbx: { readonly dialog: 'early' | 'confirmed' | 'terminated' | 'none' };
  };
  /** Whether either leg holds the call by SDP right now. */
  readonly onHold: boolean;
  readonly gateEvents: readonly GateEventView[];
}

export interface CallControl {
  list(): CallSummary[];
  get(id: string): CallDetail | undefined;
  /** Pause the recording fork (cause `api`); false when there is no such recorded call. */
  pauseRecording(id: string, reason: string): boolean;
  resumeRecording(id: string): boolean;
  /** End the call with a BYE on both legs; false when there is no such call. */
  hangUp(id: string, reason: string): boolean;
}
