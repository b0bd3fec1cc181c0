import type { Logger } from '../shared/logger.js';
import { HoldgateError } from '../errors/registry.js';
import {
  anchorSdp,
  chooseEndpointCodec,
  endpointAnswer,
  endpointOffer,
  isHoldAddress,
  recordPreference,
  restrictToCodec,
  withRecordIndication,
  type EndpointCodec,
  type RecordIndication,
  type Sdp,
  parseSdp,
  relayedMediaIndexes,
  remoteMediaTarget,
  type AnchorState,
} from '../sdp/index.js';
import type {
  LatchingMode,
  LegName,
  MediaController,
  PlayResult,
  SessionPorts,
  SessionStats,
} from '../media/relay/index.js';
import type { DigitListener, DtmfRouter } from './dtmf-router.js';
import type { RecordingConfig } from '../config/schema.js';
import type { HoldMusicDetector } from '../detect/types.js';
import { CallRecording } from './call-recording.js';
import type { RecordingMetadata } from '../recorder/index.js';
import type { RecordingHub } from './recording-hub.js';
import type {
  CallerAnswer,
  CallerEndpoint,
  SessionDescriptionEvent,
  SessionDescriptionSeam,
} from './session-description-seam.js';

/** What the seam needs to record the call (absent: the call is relayed, not recorded). */
export interface SeamRecording {
  readonly config: Readonly<RecordingConfig>;
  readonly hub: RecordingHub;
  readonly queue: string;
  readonly from: string;
  readonly to: string;
  /** Epoch ms of call time 0. */
  readonly startedAtMs: number;
  /**
   * Fresh hold-music detectors for this call (issue 5), given its delay line D (ms); none: SDP
   * hold only.
   */
  readonly detectors?: (delayLineMs: number) => HoldMusicDetector[];
  /** Where this queue learns hold music the classifier found. */
  readonly learn?: (name: string, pcm: Int16Array, musicFromSample?: number) => void;
  /** Detection latency of hold music (for metrics). */
  readonly onHoldDetected?: (cause: string, latencySeconds: number) => void;
  /** The recording reached its final status (index it, count it); not called for a discarded one. */
  readonly onFinished?: (meta: RecordingMetadata) => void;
  /** The queue's consent policy name (issue 6): not `none` starts the gate consent-pending. */
  readonly consentPolicy?: string;
  /** The queue's wait lasts until the PBX's audio comes from a new SSRC (`detection.queueWait`). */
  readonly queueWaitUntilNewSource?: boolean;
}

export interface MediaSeamOptions {
  readonly callId: string;
  /** Local address the relay binds for both legs. */
  readonly bindAddress: string;
  /** Address written into `c=` for both parties. */
  readonly advertisedAddress: string;
  readonly latching: LatchingMode;
  readonly logger: Logger;
  readonly recording?: SeamRecording;
  /** The media session's final RTP statistics (for metrics). */
  readonly onMediaFinished?: (stats: SessionStats) => void;
  /** Where the media plane's DTMF events arrive (consent, issue 6). */
  readonly dtmf?: DtmfRouter;
}

/**
 * Anchors a call's media (issue 3): allocates the relay session before the PBX leg exists, then
 * rewrites every SDP that crosses legs so both parties send RTP to holdgate (RFC 3264 §8 origin
 * handling in `anchorSdp`), and points the relay at each party's media address from its SDP.
 * A hold address (`c=0.0.0.0`, RFC 3264 §8.4) or a rejected stream leaves the relay's target as
 * it was; the far side still sees the hold form.
 */
export class MediaSeam implements SessionDescriptionSeam, CallerEndpoint {
  readonly #controller: MediaController;
  readonly #options: MediaSeamOptions;
  #ports: SessionPorts | undefined;
  #recording: CallRecording | undefined;
  #closed = false;
  /** What we last sent to each leg, so its `o=` version evolves per RFC 3264 §8. */
  readonly #sent: { caller: AnchorState | undefined; pbx: AnchorState | undefined } = {
    caller: undefined,
    pbx: undefined,
  };

  constructor(controller: MediaController, options: MediaSeamOptions) {
    this.#controller = controller;
    this.#options = options;
  }

  get sessionId(): string | undefined {
    return this.#ports?.sessionId;
  }

  get recording(): CallRecording | undefined {
    return this.#recording;
  }

  get endpoint(): CallerEndpoint {
    return this;
  }

  /** RFC 7866 `a=record` value carried to a record-aware caller, once set. */
  #recordIndication: RecordIndication | undefined;

  indicateRecording(value: RecordIndication): Buffer | undefined {
    this.#recordIndication = value;
    const sent = this.#sent.caller;
    if (!sent) return undefined;
    const text = withRecordIndication(sent.text, value);
    if (text === sent.text) return undefined;
    const version = sent.sessionVersion + 1;
    const next = text.replace(
      /^o=(\S+) (\S+) (\d+)/m,
      (_all, user: string, id: string) => `o=${user} ${id} ${version}`,
    );
    this.#sent.caller = { ...sent, sessionVersion: version, text: next };
    return Buffer.from(next);
  }

  callerAnswered(contentType: string, body: Buffer): void {
    this.#take('caller', contentType, body);
  }

  /** The caller's offer as holdgate answered it (consent placement), for the PBX leg. */
  #answeredOffer: Sdp | undefined;
  #dtmfOn = false;

  answerCaller(offer: Buffer, contentType: string, record?: RecordIndication): CallerAnswer {
    const ports = this.#requirePorts();
    const { sdp, index, codec } = this.#terminateCaller(contentType, offer);
    const text = endpointAnswer(sdp, index, {
      address: this.#options.advertisedAddress,
      rtpPort: ports.caller.rtpPort,
      rtcpPort: ports.caller.rtcpPort,
      codec,
      ...(record !== undefined ? { record } : {}),
    });
    this.#rememberCallerSdp(text);
    if (record !== undefined) this.#recordIndication = record;
    return this.#callerAnswer(text, sdp, index, codec);
  }

  offerCaller(record?: RecordIndication): Buffer {
    const ports = this.#requirePorts();
    const text = endpointOffer({
      address: this.#options.advertisedAddress,
      rtpPort: ports.caller.rtpPort,
      rtcpPort: ports.caller.rtcpPort,
      ...(record !== undefined ? { record } : {}),
    });
    this.#rememberCallerSdp(text);
    if (record !== undefined) this.#recordIndication = record;
    return Buffer.from(text);
  }

  acceptCallerAnswer(contentType: string, body: Buffer): CallerAnswer {
    const { sdp, index, codec } = this.#terminateCaller(contentType, body);
    return this.#callerAnswer(this.#sent.caller?.text ?? '', sdp, index, codec);
  }

  /**
   * The caller's SDP (its offer, or its answer to ours) while holdgate terminates its media: the
   * relay points at it, the G.711 codec is chosen, and the description narrowed to that codec is
   * kept for the PBX leg's offer.
   */
  #terminateCaller(
    contentType: string,
    body: Buffer,
  ): { sdp: Sdp; index: number; codec: EndpointCodec } {
    const { sdp, index } = this.#take('caller', contentType, body);
    if (index === undefined) throw new HoldgateError('HG_ERR_SDP_INVALID', 'no audio stream');
    const codec = chooseEndpointCodec(sdp, index);
    this.#answeredOffer = restrictToCodec(sdp, index, codec);
    return { sdp, index, codec };
  }

  #callerAnswer(text: string, sdp: Sdp, index: number, codec: EndpointCodec): CallerAnswer {
    return {
      body: Buffer.from(text),
      codec,
      law: codec.encoding === 'PCMA' ? 'alaw' : 'ulaw',
      recordPref: recordPreference(sdp, index),
    };
  }

  #rememberCallerSdp(text: string): void {
    const origin = /^o=(\S+) (\S+) (\d+)/m.exec(text);
    this.#sent.caller = {
      username: origin?.[1] ?? 'holdgate',
      sessionId: origin?.[2] ?? '1',
      sessionVersion: Number(origin?.[3] ?? 1),
      text,
    };
  }

  callerAnswerBody(): Buffer {
    const sent = this.#sent.caller;
    if (!sent) throw new HoldgateError('HG_ERR_SDP_INVALID', 'no answer was given to the caller');
    return Buffer.from(sent.text);
  }

  offerToPbx(): Buffer {
    const offer = this.#answeredOffer;
    if (!offer) throw new HoldgateError('HG_ERR_SDP_INVALID', 'the caller offer was not answered');
    const ports = this.#requirePorts();
    this.#recording?.sdp('caller', 'offer', offer);
    const index = relayedMediaIndexes(offer)[0];
    const anchored = anchorSdp(
      offer,
      {
        address: this.#options.advertisedAddress,
        ports: index === undefined ? [] : [{ rtp: ports.pbx.rtpPort, rtcp: ports.pbx.rtcpPort }],
      },
      this.#sent.pbx,
    );
    this.#sent.pbx = anchored.state;
    return Buffer.from(anchored.text);
  }

  absorb(from: LegName, kind: 'offer' | 'answer', contentType: string, body: Buffer): void {
    this.#recording?.sdp(from, kind, this.#take(from, contentType, body).sdp);
  }

  play(payloads: readonly Uint8Array[], payloadType: number): Promise<PlayResult> {
    const ports = this.#requirePorts();
    return this.#controller.playToLeg(ports.sessionId, 'caller', payloads, { payloadType });
  }

  async detectDtmf(on: boolean, listener?: DigitListener): Promise<void> {
    const ports = this.#requirePorts();
    const router = this.#options.dtmf;
    if (on && listener && router) router.subscribe(ports.sessionId, listener);
    if (!on) router?.unsubscribe(ports.sessionId);
    if (on === this.#dtmfOn || this.#closed) return;
    this.#dtmfOn = on;
    await this.#controller.detectDtmf(ports.sessionId, 'caller', on);
  }

  #requirePorts(): SessionPorts {
    const ports = this.#ports;
    if (!ports) throw new HoldgateError('HG_ERR_MEDIA_WORKER', 'no media session for this call');
    return ports;
  }

  /**
   * A peer's SDP (RFC 4566) as holdgate accepts it: `application/sdp`, at most one relayed audio
   * stream; the relay is pointed at `from`'s media address when the stream is live.
   */
  #take(
    from: LegName,
    contentType: string,
    body: Buffer,
  ): { sdp: Sdp; index: number | undefined; ports: SessionPorts } {
    const ports = this.#requirePorts();
    if (!/^application\/sdp\b/i.test(contentType.trim())) {
      throw new HoldgateError('HG_ERR_SDP_INVALID', `cannot anchor a ${contentType} body`);
    }
    const sdp = parseSdp(body);
    const relayed = relayedMediaIndexes(sdp);
    if (relayed.length > 1) {
      throw new HoldgateError('HG_ERR_SDP_INVALID', 'only one audio stream per call is relayed');
    }
    const index = relayed[0];
    if (index !== undefined)
      this.#pointRelayAt(from, ports.sessionId, remoteMediaTarget(sdp, index));
    return { sdp, index, ports };
  }

  async prepare(): Promise<void> {
    const address = this.#options.bindAddress;
    this.#ports = await this.#controller.createSession({
      callId: this.#options.callId,
      legs: { caller: { localAddress: address }, pbx: { localAddress: address } },
    });
    if (this.#closed) {
      await this.#controller.destroySession(this.#ports.sessionId);
      return;
    }
    if (this.#options.latching !== 'symmetric') {
      await this.#controller.setLatching(this.#ports.sessionId, this.#options.latching);
    }
    const rec = this.#options.recording;
    if (rec) {
      this.#recording = await CallRecording.open({
        controller: this.#controller,
        sessionId: this.#ports.sessionId,
        recordingId: this.#options.callId,
        callId: this.#options.callId,
        queue: rec.queue,
        from: rec.from,
        to: rec.to,
        startedAtMs: rec.startedAtMs,
        config: rec.config,
        ...(rec.detectors ? { detectors: rec.detectors } : {}),
        ...(rec.learn ? { learn: rec.learn } : {}),
        ...(rec.onHoldDetected ? { onHoldDetected: rec.onHoldDetected } : {}),
        ...(rec.consentPolicy !== undefined ? { consentPolicy: rec.consentPolicy } : {}),
        ...(rec.queueWaitUntilNewSource ? { queueWaitUntilNewSource: true } : {}),
        logger: this.#options.logger,
      });
      // The call may have ended while the recorder was opening.
      if (this.#isClosed()) this.#finishRecording();
      else rec.hub.add(this.#recording);
    }
  }

  settle(committed: boolean): void {
    this.#recording?.settle(committed);
  }

  relay(event: SessionDescriptionEvent): Buffer {
    const { sdp, index, ports } = this.#take(event.from, event.contentType, event.body);
    this.#recording?.sdp(event.from, event.kind, sdp);
    const toLeg: LegName = event.from === 'caller' ? 'pbx' : 'caller';
    const facing = ports[toLeg];
    const anchored = anchorSdp(
      sdp,
      {
        address: this.#options.advertisedAddress,
        ports: index === undefined ? [] : [{ rtp: facing.rtpPort, rtcp: facing.rtcpPort }],
      },
      this.#sent[toLeg],
    );
    const indication = toLeg === 'caller' ? this.#recordIndication : undefined;
    if (indication === undefined) {
      this.#sent[toLeg] = anchored.state;
      return Buffer.from(anchored.text);
    }
    // RFC 7866 §6.2: a record-aware caller sees the recording state in every SDP it gets.
    const text = withRecordIndication(anchored.text, indication);
    this.#sent[toLeg] = { ...anchored.state, text };
    return Buffer.from(text);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#ports) this.#options.dtmf?.unsubscribe(this.#ports.sessionId);
    this.#finishRecording();
    const id = this.#ports?.sessionId;
    if (id !== undefined && this.#options.onMediaFinished) {
      const report = this.#options.onMediaFinished;
      // Read the session's RTP counts before it goes; a failure here only costs a metric.
      this.#controller.stats(id).then(report, () => undefined);
    }
    if (id !== undefined) {
      this.#controller.destroySession(id).catch((err: unknown) => {
        this.#options.logger.warn({ err, sessionId: id }, 'media session not destroyed');
      });
    }
  }

  #isClosed(): boolean {
    return this.#closed;
  }

  /** Finalize the recording (ffmpeg runs off the call path); the outcome is logged. */
  #finishRecording(): void {
    const recording = this.#recording;
    if (!recording) return;
    const hub = this.#options.recording?.hub;
    hub?.remove(recording);
    const finalizing = recording.close();
    hub?.track(finalizing);
    finalizing.then(
      (meta) => {
        this.#options.logger.info(
          { recording: meta.id, status: meta.status },
          'recording finished',
        );
        if (meta.status !== 'deleted') this.#options.recording?.onFinished?.(meta);
      },
      (err: unknown) => this.#options.logger.error({ err }, 'recording not finalized'),
    );
  }

  #pointRelayAt(
    leg: LegName,
    sessionId: string,
    target: ReturnType<typeof remoteMediaTarget>,
  ): void {
    if (target.rtpPort === 0 || isHoldAddress(target.address)) return;
    this.#controller
      .setRemote(sessionId, leg, {
        address: target.address,
        rtpPort: target.rtpPort,
        rtcpPort: target.rtcpPort,
        rtcpMux: target.rtcpMux,
        payloadTypes: target.payloadTypes,
        ...(target.telephoneEventPt !== undefined
          ? { telephoneEventPt: target.telephoneEventPt }
          : {}),
      })
      .catch((err: unknown) => {
        this.#options.logger.warn({ err, sessionId, leg }, 'relay target not set');
      });
  }
}
