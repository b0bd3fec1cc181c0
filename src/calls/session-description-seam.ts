import type { QueueConfig } from '../config/schema.js';
import type { CallRecording } from './call-recording.js';

/**
 * The one seam where a call's session descriptions pass between its legs. The media plane
 * (issue 3) replaces the pass-through with SDP anchoring; the gate reads hold state here.
 * RFC 3264 offer/answer: every body that crosses from one leg to the other goes through `relay`.
 */
export type LegName = 'caller' | 'pbx';

/** What a seam factory knows about the call it serves. */
export interface SeamCallInfo {
  /** holdgate's call id (also the recording id). */
  readonly id: string;
  readonly queue: string;
  /** The queue's configuration as it was when the call arrived. */
  readonly queueConfig: QueueConfig;
  /** Epoch ms when the caller's INVITE arrived: call time 0. */
  readonly startedAt: number;
  /** Caller number (From user) and called number (Request-URI user). */
  readonly from: string;
  readonly to: string;
}

export interface SessionDescriptionEvent {
  /** The leg the body came from. */
  readonly from: LegName;
  readonly kind: 'offer' | 'answer';
  /** The request or response that carried it (`INVITE`, `200 INVITE`, `ACK`, `UPDATE`, `183 INVITE`...). */
  readonly carrier: string;
  readonly contentType: string;
  readonly body: Buffer;
}

export interface SessionDescriptionSeam {
  /**
   * Called once before the PBX leg's INVITE is sent: allocate what the call's media needs (RTP
   * ports). Rejecting with a HoldgateError refuses the call (`503` for exhausted ports).
   */
  prepare?(): Promise<void>;
  /** Returns the body to send on the other leg. May throw a HoldgateError (the request is then refused). */
  relay(event: SessionDescriptionEvent): Buffer;
  /** The offer/answer exchange that carried `event` was committed (2xx and ACK) or abandoned. */
  settle?(committed: boolean): void;
  close?(): void;
  /** The call's recording fork, when it is recorded (read by the call-control interface). */
  readonly recording?: CallRecording | undefined;
}

/** Issue 2: bodies pass through unchanged. */
export const passThroughSeam: SessionDescriptionSeam = {
  relay: (event) => event.body,
};
