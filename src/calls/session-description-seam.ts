import type { QueueConfig } from '../config/schema.js';
import type { G711Law } from '../media/g711/index.js';
import type { PlayResult } from '../media/relay/index.js';
import type { EndpointCodec, RecordIndication, RecordPreference } from '../sdp/index.js';
import type { CallRecording } from './call-recording.js';
import type { DigitListener } from './dtmf-router.js';

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
  /** holdgate as the caller's media endpoint (consent, issue 6); absent when media is not anchored. */
  readonly endpoint?: CallerEndpoint | undefined;
}

/** holdgate's answer to the caller's offer while it terminates the caller's media itself. */
export interface CallerAnswer {
  readonly body: Buffer;
  readonly codec: EndpointCodec;
  readonly law: G711Law;
  /** RFC 7866 `a=recordpref` of the caller's offer. */
  readonly recordPref: RecordPreference | undefined;
}

/**
 * The media side of the consent dialogue (issue 6, Build 2): holdgate answers the caller's offer
 * itself, plays prompts to the caller and hears its digits, before the PBX leg exists; later SDP
 * of the PBX is absorbed (the relay is pointed at it) instead of being passed to the caller,
 * who already has holdgate's answer.
 */
export interface CallerEndpoint {
  /** Answers the caller's INVITE offer (RFC 3264 §6) with a G.711 format and telephone-event. */
  answerCaller(offer: Buffer, contentType: string, record?: RecordIndication): CallerAnswer;
  /** holdgate's own offer for a caller whose INVITE had none (RFC 3264 §5; goes in the 2xx). */
  offerCaller(record?: RecordIndication): Buffer;
  /**
   * The caller's answer (in its ACK) to {@link offerCaller}: the relay is pointed at it, and it
   * becomes the description offered to the PBX.
   */
  acceptCallerAnswer(contentType: string, body: Buffer): CallerAnswer;
  /** The answer last given to the caller (for a 200 after a 183, RFC 3261 §13.2.1). */
  callerAnswerBody(): Buffer;
  /** The caller's offer, narrowed to the answered codec and anchored, for the PBX leg's INVITE. */
  offerToPbx(): Buffer;
  /** A PBX answer (18x or 2xx) consumed on the PBX leg only. */
  absorb(from: LegName, kind: 'offer' | 'answer', contentType: string, body: Buffer): void;
  play(payloads: readonly Uint8Array[], payloadType: number): Promise<PlayResult>;
  /** Hear (or stop hearing) the caller's RFC 4733 and in-band digits. */
  detectDtmf(on: boolean, listener?: DigitListener): Promise<void>;
  /**
   * RFC 7866 §6.2: from now on every SDP sent to the (record-aware) caller carries
   * `a=record:<value>`; returns holdgate's last SDP to the caller, re-versioned with it, for a
   * re-INVITE that tells the caller now.
   */
  indicateRecording(value: RecordIndication): Buffer | undefined;
  /** The caller's answer to holdgate's own re-offer: points the relay, nothing else. */
  callerAnswered(contentType: string, body: Buffer): void;
}

/** Issue 2: bodies pass through unchanged. */
export const passThroughSeam: SessionDescriptionSeam = {
  relay: (event) => event.body,
};
