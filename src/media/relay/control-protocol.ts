import type { DtmfDigit } from '../dtmf/dtmf-digit.js';

/**
 * Messages between the main thread's `MediaController` and a media worker. Plain data only
 * (structured clone); tap rings travel as SharedArrayBuffers.
 */

/** The two legs of an anchored call: the caller (trunk) side and the PBX side. */
export type LegName = 'caller' | 'pbx';

/** A media direction, named by where the audio comes from and goes to. */
export type TapDirection = 'caller-to-pbx' | 'pbx-to-caller';

/** RFC 4961 symmetric latching to the first source seen, or only the SDP address (strict). */
export type LatchingMode = 'symmetric' | 'strict';

/** One `a=rtpmap` entry of the remote SDP. */
export interface PayloadTypeInfo {
  readonly pt: number;
  /** Encoding name as in `a=rtpmap` (`PCMU`, `PCMA`, `opus`, `telephone-event`, …). */
  readonly encoding: string;
  readonly clockRate: number;
}

/** The remote end of one leg as its SDP describes it. */
export interface RemoteEndpoint {
  /** IP literal from `c=` (RFC 4566 §5.7). */
  readonly address: string;
  readonly rtpPort: number;
  /** From `a=rtcp` (RFC 3605); default rtpPort + 1. */
  readonly rtcpPort?: number;
  /** `a=rtcp-mux` accepted (RFC 5761): RTCP shares the RTP port. */
  readonly rtcpMux?: boolean;
  /** Payload types of the m-line; default static PT 0 PCMU / 8 PCMA (RFC 3551 §6). */
  readonly payloadTypes?: readonly PayloadTypeInfo[];
  /** RFC 4733 telephone-event payload type, if negotiated. */
  readonly telephoneEventPt?: number;
}

export interface CreateSessionRequest {
  readonly callId: string;
  readonly legs: {
    readonly caller: { readonly localAddress: string };
    readonly pbx: { readonly localAddress: string };
  };
  /** Override of the controller's media timeout for this session, in ms. */
  readonly mediaTimeoutMs?: number;
}

export interface LegPorts {
  readonly address: string;
  readonly rtpPort: number;
  readonly rtcpPort: number;
}

export interface SessionPorts {
  readonly sessionId: string;
  readonly caller: LegPorts;
  readonly pbx: LegPorts;
}

export interface DirectionStats {
  /** RTP packets forwarded. */
  packets: number;
  /** RTP bytes forwarded (whole datagrams). */
  bytes: number;
  rtcpPackets: number;
  rtcpBytes: number;
  /** Datagrams not forwarded: rejected source, no destination yet, malformed, or prompt playing. */
  dropped: number;
  /** Cumulative loss of the current source, RFC 3550 §6.4.1 / A.3. */
  lost: number;
  /** Interarrival jitter of the current source in ms (RFC 3550 §6.4.1). */
  jitterMs: number;
  /** Current source SSRC (-1 before the first packet). */
  ssrc: number;
  ssrcChanges: number;
}

export interface LatchedSource {
  readonly address: string;
  readonly port: number;
}

export interface SessionStats {
  readonly 'caller-to-pbx': DirectionStats;
  readonly 'pbx-to-caller': DirectionStats;
  readonly latched: { readonly caller: LatchedSource | null; readonly pbx: LatchedSource | null };
}

export interface PlayResult {
  readonly packetsSent: number;
  /** True when the session was destroyed or another prompt replaced this one. */
  readonly interrupted: boolean;
}

/** How a DTMF digit reached holdgate: RFC 4733 telephone-events or tones in the G.711 audio. */
export type DtmfSource = 'rfc4733' | 'inband';

/** One key press detected in the audio a leg's peer sends (issue 6 item 3). */
export interface DtmfDetectedEvent {
  readonly sessionId: string;
  /** The leg whose incoming RTP carried the digit. */
  readonly leg: LegName;
  readonly digit: DtmfDigit;
  readonly source: DtmfSource;
  /** Length of the press (RFC 4733: the event duration; in-band: measured to 5 ms). */
  readonly durationMs: number;
  /**
   * Start of the press, epoch ms (`Date.now()` scale): the arrival time of the latest packet of
   * the same kind, moved back by the RTP timestamp distance to the press start. In-band to the
   * 20 ms frame the press starts in.
   */
  readonly atMs: number;
}

/** Configuration a worker receives as `workerData`. */
export interface MediaWorkerConfig {
  readonly workerIndex: number;
  readonly portMin: number;
  readonly portMax: number;
  readonly mediaTimeoutMs: number;
  readonly tickMs: number;
  readonly quarantineMs: number;
  readonly recvBufferSize?: number;
}

export type WorkerRequest =
  | {
      readonly id: number;
      readonly op: 'create';
      readonly sessionId: string;
      readonly req: CreateSessionRequest;
    }
  | {
      readonly id: number;
      readonly op: 'setRemote';
      readonly sessionId: string;
      readonly leg: LegName;
      readonly remote: RemoteEndpoint;
    }
  | {
      readonly id: number;
      readonly op: 'setLatching';
      readonly sessionId: string;
      readonly mode: LatchingMode;
    }
  | {
      readonly id: number;
      readonly op: 'setContinuityRewrite';
      readonly sessionId: string;
      readonly on: boolean;
    }
  | { readonly id: number; readonly op: 'stats'; readonly sessionId: string }
  | { readonly id: number; readonly op: 'destroy'; readonly sessionId: string }
  | {
      readonly id: number;
      readonly op: 'openTap';
      readonly sessionId: string;
      readonly direction: TapDirection;
      readonly ring: SharedArrayBuffer;
    }
  | {
      readonly id: number;
      readonly op: 'play';
      readonly sessionId: string;
      readonly leg: LegName;
      readonly payloads: readonly Uint8Array[];
      readonly payloadType: number;
    }
  | {
      readonly id: number;
      readonly op: 'detectDtmf';
      readonly sessionId: string;
      /** The leg whose incoming audio is watched (normally 'caller'). */
      readonly leg: LegName;
      readonly on: boolean;
    }
  | { readonly id: number; readonly op: 'crash' };

export type WorkerMessage =
  | { readonly kind: 'reply'; readonly id: number; readonly ok: true; readonly value: unknown }
  | {
      readonly kind: 'reply';
      readonly id: number;
      readonly ok: false;
      readonly code: string;
      readonly message: string;
    }
  | { readonly kind: 'mediaTimeout'; readonly sessionId: string }
  | ({ readonly kind: 'dtmf' } & DtmfDetectedEvent)
  | { readonly kind: 'ready' };
