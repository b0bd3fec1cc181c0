import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import type { Logger } from '../shared/logger.js';
import { isHoldgateError } from '../errors/registry.js';
import type { QueueConfig, SipConfig } from '../config/schema.js';
import {
  createRequest,
  cseq as cseqOf,
  parseNameAddr,
  parseUri,
  type SipRequest,
  type SipResponse,
} from '../sip/message/index.js';
import type { Endpoint } from '../sip/transport/index.js';
import type { ServerTransaction } from '../sip/transaction/index.js';
import {
  UserAgentCore,
  type Dialog,
  type DialogOwner,
  type OutgoingInvite,
  type RespondFn,
} from '../sip/dialog/index.js';
import {
  announces,
  consentPolicyOf,
  ConsentSession,
  DigitDeduplicator,
  DigitSequence,
  parseInfoDigit,
  pickLanguage,
  type ConsentOutcome,
  type ConsentPolicy,
  type ConsentPromptLibrary,
  type DigitSource,
} from '../consent/index.js';
import type { DtmfDigit } from '../media/dtmf/index.js';
import type { RecordIndication } from '../sdp/index.js';
import type { ConsentRecord } from '../store/index.js';
import { withTag } from './address-header.js';
import { ConsentDialogue } from './consent-dialogue.js';
import { consentDetails } from './consent-record.js';
import { RecordIndicator } from './record-indicator.js';
import { callerFailureFor } from './failure-mapping.js';
import type {
  CallerAnswer,
  CallerEndpoint,
  LegName,
  SeamCallInfo,
  SessionDescriptionSeam,
} from './session-description-seam.js';
import type { CallRecording } from './call-recording.js';

/** Methods holdgate relays within a dialog besides INVITE, UPDATE and BYE. */
const RELAYED_METHODS = new Set(['INFO', 'MESSAGE', 'OPTIONS', 'NOTIFY']);
/** Headers of in-dialog requests carried to the other leg (session timers, RFC 4028 §9; INFO packages). */
const IN_DIALOG_HEADERS = [
  'Session-Expires',
  'Min-SE',
  'Info-Package',
  'Recv-Info',
  'Event',
  'Subscription-State',
  'Reason',
];
export const ALLOW = 'INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, INFO, MESSAGE, NOTIFY';

/** `consent`: holdgate talks to the caller itself before the PBX leg exists (issue 6). */
export type CallState = 'proceeding' | 'consent' | 'early' | 'confirmed' | 'ending' | 'ended';

/** What a call needs to run a consent dialogue (issue 6). */
export interface CallConsentServices {
  readonly prompts: ConsentPromptLibrary;
  /** Keep a consent record (the consent log of the store). */
  record(record: ConsentRecord): void;
}

export interface CallContext {
  core: UserAgentCore;
  sip: Readonly<SipConfig>;
  logger: Logger;
  seamFor(call: SeamCallInfo): SessionDescriptionSeam;
  onEnded(call: Call): void;
  /** Absent: no consent dialogue can run (queues asking for one are relayed unrecorded). */
  consent?: CallConsentServices;
}

/** An ACK we owe one leg once the other leg's ACK brings the answer (offer-less INVITE, RFC 3264 §4). */
interface PendingAck {
  waitFor: LegName;
  dialog: Dialog;
  cseq: number;
}

/**
 * A call: the caller's leg (we are its UAS) and the PBX leg (we are its UAC), glued back to back.
 * Responses and in-dialog requests are relayed leg to leg; every session description crosses
 * the seam. Teardown lives here (see docs/teardown.md): `end()` is idempotent and closes both
 * legs once.
 */
export class Call {
  readonly id = randomUUID();
  readonly queue: QueueConfig;
  readonly startedAt = Date.now();
  readonly callerCallId: string;
  readonly log: Logger;
  state: CallState = 'proceeding';
  callerDialog: Dialog | undefined;
  pbxDialog: Dialog | undefined;
  readonly #ctx: CallContext;
  readonly #seam: SessionDescriptionSeam;
  readonly #inviteTx: ServerTransaction;
  readonly #callerOfferedInInvite: boolean;
  #outgoing: OutgoingInvite | undefined;
  #pendingAck: PendingAck | undefined;
  #callerAnswered = false;
  #cancelled = false;
  #endReason = '';
  readonly #policy: ConsentPolicy;
  /** RFC 7866 §6.1: the caller sent `Supported: record-aware` (it shows recording indications). */
  readonly #recordAware: boolean;
  /** holdgate answered the caller's offer itself (consent placement, issue 6). */
  #callerAnswer: CallerAnswer | undefined;
  #dialogue: ConsentDialogue | undefined;
  /** The recording may keep audio (consent granted); until then it is discarded on end. */
  #recordingGranted = false;
  #lateOptOut: DigitSequence | undefined;
  readonly #digits = new DigitDeduplicator();
  /** RFC 7866 indications to a record-aware caller (absent: the caller is not record-aware). */
  #indicator: RecordIndicator | undefined;
  #gateWatched = false;
  #callerAcked: ((ack: SipRequest | undefined) => void) | undefined;
  /** holdgate answered the caller for consent (a record is owed even if it hangs up at once). */
  #consentAsked = false;

  constructor(ctx: CallContext, queue: QueueConfig, inviteTx: ServerTransaction) {
    this.#ctx = ctx;
    this.queue = queue;
    this.#inviteTx = inviteTx;
    this.callerCallId = inviteTx.request.get('call-id') ?? '';
    this.#callerOfferedInInvite = inviteTx.request.body.length > 0;
    this.#policy = consentPolicyOf(queue.consent);
    this.#recordAware = inviteTx.request
      .getAll('supported')
      .some((v) => v.trim().toLowerCase() === 'record-aware');
    this.log = ctx.logger.child({ callId: this.id, queue: queue.name });
    this.numbers = {
      from: userOf(inviteTx.request.get('from')),
      to: userOf(`<${inviteTx.request.uri}>`),
    };
    this.#seam = ctx.seamFor({
      id: this.id,
      queue: queue.name,
      queueConfig: queue,
      startedAt: this.startedAt,
      from: this.numbers.from,
      to: this.numbers.to,
    });
  }

  /** The recording fork of this call, if it is recorded. */
  get recording(): CallRecording | undefined {
    return this.#seam.recording;
  }

  /** Caller number, called number (as the seam saw them). */
  readonly numbers: { readonly from: string; readonly to: string };

  get endReason(): string {
    return this.#endReason;
  }

  readonly #callerOwner: DialogOwner = {
    onRequest: (dialog, request, respond) => this.#inDialog('caller', dialog, request, respond),
    onAck: (_dialog, ack) => {
      this.#callerAcked?.(ack);
      this.#callerAcked = undefined;
      this.#onAck('caller', ack);
    },
    onAckTimeout: () => this.end('caller ACK timeout', undefined),
  };

  readonly #pbxOwner: DialogOwner = {
    onRequest: (dialog, request, respond) => this.#inDialog('pbx', dialog, request, respond),
    onAck: (_dialog, ack) => this.#onAck('pbx', ack),
    onAckTimeout: () => this.end('PBX ACK timeout', undefined),
  };

  /**
   * Answer 100, let the seam prepare the media, then send the PBX leg's INVITE. Failures end the
   * call with the error's status toward the caller.
   */
  async start(): Promise<void> {
    this.#ctx.core.respond(this.#inviteTx, 100, 'Trying', { owner: this.#callerOwner });
    try {
      await this.#seam.prepare?.();
      if (this.state !== 'proceeding') return; // cancelled while preparing
      const endpoint = this.#seam.endpoint;
      const consent = this.#ctx.consent;
      if (this.#recordAware && endpoint) {
        // RFC 7866 §6.2: every SDP the caller gets says whether it is recorded, from the first.
        this.#indicator = new RecordIndicator({
          core: this.#ctx.core,
          endpoint,
          log: this.log,
          dialog: () => this.callerDialog,
          connected: () => this.state === 'confirmed',
          wanted: () => this.#recordingState(),
        });
        this.#indicator.start();
      }
      if (announces(this.#policy) && endpoint && consent) {
        await this.#runConsent(endpoint, consent);
        return;
      }
      if (announces(this.#policy)) {
        this.log.warn('no media plane for the consent dialogue; the call is relayed unrecorded');
      }
      this.#recordingGranted = true;
      this.#sendPbxInvite();
    } catch (err) {
      const status = !isHoldgateError(err)
        ? 500
        : err.code === 'HG_ERR_SDP_INVALID'
          ? 488
          : err.status >= 500 && err.status < 600
            ? 503
            : 500;
      this.log.error({ err }, 'call setup failed');
      this.end('setup failed', undefined, status);
    }
  }

  // ─── consent (issue 6) ─────────────────────────────────────────────────────────────────────

  /**
   * Default placement (issue 6, Build 2): holdgate answers the caller itself (200, or 183 with
   * SDP for `early-media`), plays the announcement, collects the digit, and only then creates the
   * PBX leg, so the PBX sees the call once consent is settled. The recording runs paused
   * (`consent-pending`) throughout, so nothing of the announcement window is kept.
   */
  async #runConsent(endpoint: CallerEndpoint, consent: CallConsentServices): Promise<void> {
    const request = this.#inviteTx.request;
    const record = this.#recordAware ? ('off' as const) : undefined;
    // An offer-less INVITE gets holdgate's offer in the 200 and answers in the ACK (RFC 3264
    // §5), so it is always answered (a 183 could not carry the caller's answer back).
    const offerless = !this.#callerOfferedInInvite;
    let answer: CallerAnswer | undefined;
    let body: Buffer;
    try {
      if (offerless) {
        body = endpoint.offerCaller(record);
      } else {
        answer = endpoint.answerCaller(
          request.body,
          request.get('content-type') ?? 'application/sdp',
          record,
        );
        body = answer.body;
      }
    } catch (err) {
      this.log.info({ err }, 'consent: caller offer unusable');
      this.end('unusable SDP offer for the announcement', undefined, 488);
      return;
    }
    const core = this.#ctx.core;
    const sdpBody = { body, contentType: 'application/sdp' };
    this.#consentAsked = true;
    if (offerless || this.#policy.placement === 'answer') {
      const acked = new Promise<SipRequest | undefined>((resolve) => {
        this.#callerAcked = resolve;
      });
      this.#callerAnswered = true;
      this.callerDialog = core.respond(this.#inviteTx, 200, 'OK', {
        ...sdpBody,
        owner: this.#callerOwner,
      });
      this.state = 'consent';
      const ack = await acked;
      if (this.#isOver()) return;
      if (offerless) {
        try {
          answer = endpoint.acceptCallerAnswer(
            ack?.get('content-type') ?? 'application/sdp',
            ack?.body ?? Buffer.alloc(0),
          );
        } catch (err) {
          this.log.info({ err }, 'consent: no usable answer in the ACK');
          this.end('unusable SDP answer in the ACK', undefined);
          return;
        }
      }
    } else {
      this.callerDialog = core.respond(this.#inviteTx, 183, 'Session Progress', {
        ...sdpBody,
        owner: this.#callerOwner,
      });
      this.state = 'consent';
    }
    if (!answer) return;
    this.#callerAnswer = answer;
    const law = answer.law;
    const session = new ConsentSession(this.#policy);
    const library = consent.prompts;
    const header = this.queue.consent?.languageHeader;
    const language = pickLanguage(
      header === undefined || !request.has(header) ? undefined : request.getAll(header).join(','),
      library.languagesOf(this.queue),
      this.queue.consent?.language ?? 'en',
    );
    const dialogue = new ConsentDialogue({
      session,
      endpoint,
      prompts: () => library.load(this.queue, language, law),
      payloadType: answer.codec.pt,
      now: () => this.#now(),
      log: this.log,
    });
    this.#dialogue = dialogue;
    dialogue.apply(session.recordPreference(answer.recordPref, this.#now()));
    this.log.info({ language, policy: this.#policy.name }, 'asking the caller for consent');
    await endpoint.detectDtmf(true, this.#mediaDigit).catch((err: unknown) => {
      this.log.warn({ err }, 'DTMF detection not started; only SIP INFO digits are heard');
    });
    const outcome = await dialogue.run();
    this.#consentSettled(outcome, language);
    if (this.#isOver()) return;
    if (this.#callerAnswered) this.state = 'early';
    else this.state = 'proceeding';
    this.#sendPbxInvite();
  }

  /** Call time in ms (0 = the caller's INVITE arrived). */
  #now(): number {
    return Date.now() - this.startedAt;
  }

  #isOver(): boolean {
    return this.state === 'ending' || this.state === 'ended';
  }

  #mediaDigit = (digit: DtmfDigit, source: 'rfc4733' | 'inband', atEpochMs: number): void => {
    this.#onDigit(digit, source, Math.max(0, atEpochMs - this.startedAt));
  };

  /** A key press from any source: the consent dialogue first, then the late opt-out sequence. */
  #onDigit(digit: DtmfDigit, source: DigitSource, atMs: number): void {
    // One press may arrive as INFO and as RTP: fold it once for the dialogue and the sequence.
    if (!this.#digits.accept(digit, source, atMs)) return;
    const dialogue = this.#dialogue;
    if (dialogue && dialogue.session.outcome === undefined) {
      dialogue.digit(digit, source, atMs);
      return;
    }
    if (this.#lateOptOut?.push(digit, atMs) === true) this.#optOutLate(digit, source, atMs);
  }

  /** The consent outcome: keep the record, open the recording or delete it. */
  #consentSettled(outcome: ConsentOutcome, language: string): void {
    const dialogue = this.#dialogue;
    const records = outcome === 'recorded' || outcome === 'opted-in';
    const details = this.#consentDetails(outcome, language);
    this.#keepConsentRecord(outcome, details);
    this.log.info({ outcome, digits: dialogue?.session.digits.length ?? 0 }, 'consent settled');
    const recording = this.#seam.recording;
    if (records && !this.#isOver()) {
      recording?.consentGranted(outcome, details);
      this.#recordingGranted = true;
      if (this.#policy.lateOptOutDigits !== undefined && recording) {
        this.#lateOptOut = new DigitSequence(this.#policy.lateOptOutDigits);
        return; // keep listening
      }
    } else {
      void recording?.discard();
    }
    if (!this.#isOver()) this.#seam.endpoint?.detectDtmf(false).catch(() => undefined);
  }

  /**
   * Opt-out later in the call (issue 6, Build 3): recording stops at once and everything of it
   * (spool, metadata, audio) is deleted; only a consent record stays.
   */
  #optOutLate(digit: DtmfDigit, source: DigitSource, atMs: number): void {
    this.#lateOptOut = undefined;
    this.#recordingGranted = false;
    void this.#seam.recording?.discard();
    this.#keepConsentRecord('opted-out', {
      late: true,
      digits: this.#policy.lateOptOutDigits,
      lastDigit: { digit, source, at: this.#iso(atMs) },
      recordingDeleted: true,
    });
    this.log.info({ source }, 'caller opted out during the call; recording deleted');
    this.#indicator?.update();
    this.#seam.endpoint?.detectDtmf(false).catch(() => undefined);
  }

  /** A consent record of this call for the store's consent log (issue 6, Build 5). */
  #keepConsentRecord(outcome: ConsentOutcome, details: Record<string, unknown>): void {
    this.#ctx.consent?.record({
      number: this.numbers.from,
      at: new Date().toISOString(),
      callId: this.id,
      queue: this.queue.name,
      policy: this.#policy.name,
      outcome,
      details,
    });
  }

  /** RFC 7866 §6.2 `a=record` the record-aware caller should see now. */
  #recordingState(): RecordIndication {
    const recording = this.#seam.recording;
    if (!recording || recording.discarded || !this.#recordingGranted) return 'off';
    return recording.gate.state === 'recording' ? 'on' : 'paused';
  }

  /** Follow the gate for a record-aware caller once the call is connected. */
  #watchGate(): void {
    const recording = this.#seam.recording;
    const indicator = this.#indicator;
    if (this.#gateWatched || !indicator || !recording) return;
    this.#gateWatched = true;
    recording.gate.onEvent(() => indicator.update());
    indicator.update();
  }

  #iso(callMs: number): string {
    return new Date(this.startedAt + callMs).toISOString();
  }

  /** The consent record's details (issue 6, Build 5). */
  #consentDetails(outcome: ConsentOutcome, language: string): Record<string, unknown> {
    return consentDetails({
      dialogue: this.#dialogue,
      policy: this.#policy,
      language,
      purpose: this.queue.purpose?.[language],
      recordPref: this.#callerAnswer?.recordPref,
      outcome,
      startedAt: this.startedAt,
      nowMs: this.#now(),
    });
  }

  /** The PBX leg's INVITE (RFC 3261 §8.1.1: a new Call-ID, tags and CSeq; allowed headers copied). */
  #sendPbxInvite(): void {
    const core = this.#ctx.core;
    const request = this.#inviteTx.request;
    const pbx = this.queue.pbx;
    const destination: Endpoint = { protocol: pbx.transport, address: pbx.host, port: pbx.port };
    const family = isIP(pbx.host) === 6 ? 6 : 4;
    const hostText = family === 6 ? `[${pbx.host}]` : pbx.host;
    let user = pbx.user;
    if (user === undefined) {
      try {
        user = parseUri(request.uri).user;
      } catch {
        user = undefined;
      }
    }
    const uri = `sip:${user ? `${encodeUser(user)}@` : ''}${hostText}:${pbx.port}${pbx.transport === 'tcp' ? ';transport=tcp' : ''}`;
    const maxForwards = Number(request.get('max-forwards') ?? '70');
    const headers: [string, string][] = [
      ['Max-Forwards', String(Math.min(70, maxForwards) - 1)],
      ['From', withTag(request.get('from') ?? '', UserAgentCore.newTag())],
      ['To', withTag(request.get('to') ?? '', undefined)],
      ['Call-ID', UserAgentCore.newCallId()],
      ['CSeq', '1 INVITE'],
      ['Contact', core.contactFor(pbx.transport, family)],
      ['Allow', ALLOW],
      ['User-Agent', this.#ctx.sip.userAgent],
      ['X-Holdgate-Call-Id', this.id],
    ];
    const allowed = new Set(this.#ctx.sip.copyHeaders.map((h) => h.toLowerCase()));
    for (const field of request.headers) {
      if (allowed.has(field.key)) headers.push([field.name, field.value]);
    }
    for (const name of ['Session-Expires', 'Min-SE']) {
      const v = request.get(name);
      if (v !== undefined) headers.push([name, v]);
    }
    const supported = supportedWeRelay(request);
    if (supported) headers.push(['Supported', supported]);
    let body: Buffer | undefined;
    const endpoint = this.#seam.endpoint;
    if (this.#callerAnswer && endpoint) {
      body = endpoint.offerToPbx();
      headers.push(['Content-Type', 'application/sdp']);
    } else if (this.#callerOfferedInInvite) {
      const contentType = request.get('content-type') ?? 'application/sdp';
      body = this.#seam.relay({
        from: 'caller',
        kind: 'offer',
        carrier: 'INVITE',
        contentType,
        body: request.body,
      });
      headers.push(['Content-Type', contentType]);
    }
    const invite = createRequest({ method: 'INVITE', uri, headers, ...(body ? { body } : {}) });
    this.#outgoing = core.invite(
      invite,
      destination,
      {
        onProvisional: (res, dialog) => this.#pbxProvisional(res, dialog),
        onSuccess: (res, dialog) => this.#pbxSuccess(res, dialog),
        onFailure: (res) => this.#pbxFailure(res),
      },
      this.#pbxOwner,
    );
    this.log.info({ pbx: `${pbx.host}:${pbx.port}`, sipCallId: this.callerCallId }, 'call started');
  }

  /** The caller sent CANCEL (RFC 3261 §9.2); the CANCEL itself was answered 200 by the transaction layer. */
  cancelFromCaller(): void {
    if (this.#callerAnswered) return; // too late: the 2xx crossed the CANCEL
    this.#cancelled = true;
    this.#outgoing?.cancel('SIP;cause=487;text="Caller cancelled"');
    this.#answerCaller(487, 'Request Terminated');
    this.#finish('caller cancelled');
  }

  /**
   * End the call, idempotently: BYE to each confirmed leg except the one that ended it, CANCEL to
   * a PBX INVITE still pending, a final response to a caller INVITE still unanswered.
   */
  end(reason: string, initiator: LegName | undefined, callerStatus = 503): void {
    if (this.state === 'ended' || this.state === 'ending') return;
    this.state = 'ending';
    this.#endReason = reason;
    const core = this.#ctx.core;
    // RFC 3326: say why when holdgate itself ends the call (media timeout, drain, shutdown).
    const bye =
      initiator === undefined
        ? { headers: [['Reason', `SIP;text="${reason.replace(/"/g, "'")}"`] as const] }
        : {};
    if (!this.#callerAnswered)
      this.#answerCaller(callerStatus, callerStatus === 503 ? 'Service Unavailable' : undefined);
    else if (
      initiator !== 'caller' &&
      this.callerDialog &&
      this.callerDialog.state !== 'terminated'
    ) {
      core.request(this.callerDialog, 'BYE', bye, { onFinal: () => undefined });
    }
    if (this.pbxDialog && this.pbxDialog.state === 'confirmed') {
      if (initiator !== 'pbx')
        core.request(this.pbxDialog, 'BYE', bye, { onFinal: () => undefined });
    } else {
      this.#cancelled = true;
      this.#outgoing?.cancel(`SIP;cause=487;text="${reason.replace(/"/g, "'")}"`);
    }
    this.#finish(reason);
  }

  #finish(reason: string): void {
    if (this.state === 'ended') return;
    this.state = 'ended';
    this.#endReason ||= reason;
    this.#callerAcked?.(undefined);
    if (this.#dialogue) {
      this.#dialogue.abandon();
      this.#dialogue.close();
    } else if (this.#consentAsked) {
      // Gone before its ACK: no dialogue ran, the record still says so.
      this.#consentSettled('abandoned', this.queue.consent?.language ?? 'en');
    }
    // Nothing is kept of a recording whose consent was not granted (abandoned, refused).
    if (!this.#recordingGranted) void this.#seam.recording?.discard();
    this.#seam.close?.();
    this.log.info({ reason, durationMs: Date.now() - this.startedAt }, 'call ended');
    this.#ctx.onEnded(this);
  }

  // ─── PBX leg INVITE responses ──────────────────────────────────────────────────────────────

  #pbxProvisional(res: SipResponse, _dialog: Dialog | undefined): void {
    if (res.status === 100 || this.state === 'ended') return;
    if (this.#callerAnswer) {
      // The caller already has holdgate's answer: the PBX's early SDP only points the relay
      // (its ringback or announcements then reach the caller through it).
      this.#absorbPbx(res, 'answer');
      return;
    }
    if (this.#callerAnswered) return;
    const opts = this.#relayedBody('pbx', res, 'answer', `${res.status} INVITE`);
    this.callerDialog = this.#ctx.core.respond(this.#inviteTx, res.status, res.reason, {
      ...opts,
      owner: this.#callerOwner,
    });
    if (this.state === 'proceeding') this.state = 'early';
  }

  #pbxSuccess(res: SipResponse, dialog: Dialog): void {
    const core = this.#ctx.core;
    const inviteSeq = cseqOf(res).seq;
    if (
      this.#cancelled ||
      this.state === 'ended' ||
      this.state === 'ending' ||
      (this.pbxDialog && this.pbxDialog !== dialog)
    ) {
      // RFC 5407 §3.1.2 (CANCEL crossed the 2xx) and §13.2.2.4 (an extra forked 2xx): ACK, then BYE.
      core.ack(dialog, inviteSeq);
      core.request(dialog, 'BYE', {}, { onFinal: () => undefined });
      return;
    }
    this.pbxDialog = dialog;
    if (this.#callerAnswer) {
      this.#pbxAnsweredAfterConsent(res, dialog, inviteSeq);
      return;
    }
    const kind = this.#callerOfferedInInvite ? 'answer' : 'offer';
    let opts: { body?: Buffer; contentType?: string };
    try {
      opts = this.#relayedBody('pbx', res, kind, '200 INVITE');
    } catch (err) {
      this.log.warn({ err }, 'PBX answered with an SDP holdgate cannot anchor');
      core.ack(dialog, inviteSeq);
      this.end('unusable SDP from the PBX', undefined, 502);
      return;
    }
    if (this.#callerOfferedInInvite) core.ack(dialog, inviteSeq);
    else this.#pendingAck = { waitFor: 'caller', dialog, cseq: inviteSeq };
    this.#callerAnswered = true;
    this.callerDialog = core.respond(this.#inviteTx, res.status, res.reason, {
      ...opts,
      owner: this.#callerOwner,
    });
    this.#connected(res.status);
  }

  /**
   * The PBX answered a call whose caller holdgate answered itself: its SDP points the relay, the
   * PBX leg is ACKed at once (the offer was in our INVITE), and the caller gets the 200 now only
   * if it had just the 183 (early-media placement).
   */
  #pbxAnsweredAfterConsent(res: SipResponse, dialog: Dialog, inviteSeq: number): void {
    const core = this.#ctx.core;
    core.ack(dialog, inviteSeq);
    if (!this.#absorbPbx(res, 'answer')) {
      this.end('unusable SDP from the PBX', undefined, 502);
      return;
    }
    this.#seam.settle?.(true);
    if (!this.#callerAnswered) {
      this.#callerAnswered = true;
      const endpoint = this.#seam.endpoint;
      this.callerDialog = core.respond(this.#inviteTx, res.status, res.reason, {
        ...(endpoint ? { body: endpoint.callerAnswerBody(), contentType: 'application/sdp' } : {}),
        owner: this.#callerOwner,
      });
    }
    this.#connected(res.status);
  }

  /** Both legs are up: late opt-out and RFC 7866 indications start listening. */
  #connected(status: number): void {
    this.state = 'confirmed';
    this.log.info({ status }, 'call answered');
    this.#startLateOptOut();
    this.#watchGate();
  }

  /** A PBX SDP consumed on the PBX side only; false when it cannot be used. */
  #absorbPbx(res: SipResponse, kind: 'offer' | 'answer'): boolean {
    if (res.body.length === 0) return true;
    try {
      this.#seam.endpoint?.absorb(
        'pbx',
        kind,
        res.get('content-type') ?? 'application/sdp',
        res.body,
      );
      return true;
    } catch (err) {
      this.log.warn({ err }, 'PBX SDP holdgate cannot anchor');
      return false;
    }
  }

  /** Late opt-out on a queue without a consent dialogue: listen once media flows. */
  #startLateOptOut(): void {
    if (this.#dialogue || this.#policy.lateOptOutDigits === undefined) return;
    if (!this.#seam.recording || this.#lateOptOut) return;
    this.#lateOptOut = new DigitSequence(this.#policy.lateOptOutDigits);
    this.#seam.endpoint?.detectDtmf(true, this.#mediaDigit).catch((err: unknown) => {
      this.log.warn({ err }, 'DTMF detection not started; only SIP INFO digits are heard');
    });
  }

  #pbxFailure(res: SipResponse): void {
    if (this.state === 'ended') return;
    if (this.#callerAnswer && this.#callerAnswered && !this.#cancelled) {
      // The caller was answered for the announcement: BYE it, saying why (RFC 3326).
      this.end(`PBX answered ${res.status}`, undefined);
      return;
    }
    const mapped = callerFailureFor(res.status, res.reason);
    this.#answerCaller(mapped.status, mapped.reason);
    this.#finish(`PBX answered ${res.status}`);
  }

  #answerCaller(status: number, reason: string | undefined): void {
    if (this.#callerAnswered || this.#inviteTx.finalResponse !== undefined) return;
    this.#callerAnswered = true;
    this.#ctx.core.respond(this.#inviteTx, status, reason);
  }

  // ─── in-dialog relay ───────────────────────────────────────────────────────────────────────

  #inDialog(from: LegName, _dialog: Dialog, request: SipRequest, respond: RespondFn): void {
    const other = from === 'caller' ? this.pbxDialog : this.callerDialog;
    const method = request.method;
    if (method === 'BYE') {
      respond(200, 'OK');
      this.end(`${from} hung up`, from);
      return;
    }
    if (from === 'caller' && method === 'INFO') {
      // RFC 6086 INFO with a DTMF body (application/dtmf-relay, application/dtmf): heard here,
      // and still relayed to the PBX once it is connected (its IVR may want the digit).
      const info = parseInfoDigit(request.get('content-type') ?? '', request.body);
      if (info) {
        this.#onDigit(info.digit, 'info', this.#now());
        if (!other || other.state !== 'confirmed' || this.state !== 'confirmed') {
          respond(200, 'OK');
          return;
        }
      }
    }
    if (!other || other.state !== 'confirmed' || this.state !== 'confirmed') {
      // The other leg is not ready (e.g. the PBX leg is still early): ask the sender to retry.
      respond(method === 'INVITE' || method === 'UPDATE' ? 491 : 481, undefined);
      return;
    }
    if (method !== 'INVITE' && method !== 'UPDATE' && !RELAYED_METHODS.has(method)) {
      respond(501, 'Not Implemented', { headers: [['Allow', ALLOW]] });
      return;
    }
    const hasBody = request.body.length > 0;
    const contentType = request.get('content-type') ?? 'application/sdp';
    const isOffer = (method === 'INVITE' || method === 'UPDATE') && hasBody;
    let body: Buffer | undefined;
    if (isOffer) {
      try {
        if (this.#indicator) this.#indicator.relaying = from === 'pbx';
        body = this.#seam.relay({
          from,
          kind: 'offer',
          carrier: method,
          contentType,
          body: request.body,
        });
      } catch (err) {
        this.log.info({ err, method }, 'offer refused');
        respond(488, 'Not Acceptable Here');
        return;
      } finally {
        if (this.#indicator) this.#indicator.relaying = false;
      }
    } else if (hasBody) {
      body = request.body;
    }
    const headers: [string, string][] = [];
    for (const name of IN_DIALOG_HEADERS) {
      const v = request.get(name);
      if (v !== undefined) headers.push([name, v]);
    }
    const supported = supportedWeRelay(request);
    if (supported) headers.push(['Supported', supported]);
    const core = this.#ctx.core;
    core.request(
      other,
      method,
      { ...(body ? { body, contentType } : {}), headers },
      {
        onFinal: (res) => {
          const ok = res.status >= 200 && res.status < 300;
          const back: [string, string][] = [];
          for (const name of ['Session-Expires', 'Min-SE', 'Retry-After', 'Require']) {
            const v = res.get(name);
            if (v !== undefined && (name !== 'Require' || v.toLowerCase() === 'timer'))
              back.push([name, v]);
          }
          let opts: { body?: Buffer; contentType?: string } = {};
          if (res.body.length > 0) {
            const kind = isOffer ? 'answer' : 'offer';
            opts =
              method === 'INVITE' || method === 'UPDATE'
                ? this.#relayedBody(
                    from === 'caller' ? 'pbx' : 'caller',
                    res,
                    kind,
                    `${res.status} ${method}`,
                  )
                : {
                    body: res.body,
                    contentType: res.get('content-type') ?? 'application/octet-stream',
                  };
          }
          if (method === 'INVITE' && ok) {
            const seq = cseqOf(res).seq;
            if (isOffer || res.body.length === 0) core.ack(other, seq);
            else this.#pendingAck = { waitFor: from, dialog: other, cseq: seq };
          }
          if (!ok) this.#seam.settle?.(false);
          else if (method === 'UPDATE') this.#seam.settle?.(true);
          respond(res.status, res.reason, { ...opts, headers: back });
          if (res.status === 481 || (res.status === 408 && method !== 'INFO')) {
            this.end(
              `${from === 'caller' ? 'PBX' : 'caller'} lost the dialog (${res.status})`,
              undefined,
            );
          }
        },
      },
    );
  }

  #onAck(from: LegName, ack: SipRequest): void {
    const pending = this.#pendingAck;
    if (!pending || pending.waitFor !== from) {
      this.#seam.settle?.(true);
      return;
    }
    this.#pendingAck = undefined;
    let opts: { body?: Buffer; contentType?: string } = {};
    if (ack.body.length > 0) {
      const contentType = ack.get('content-type') ?? 'application/sdp';
      opts = {
        body: this.#seam.relay({
          from,
          kind: 'answer',
          carrier: 'ACK',
          contentType,
          body: ack.body,
        }),
        contentType,
      };
    }
    this.#ctx.core.ack(pending.dialog, pending.cseq, opts);
    this.#seam.settle?.(true);
  }

  #relayedBody(
    from: LegName,
    message: SipResponse,
    kind: 'offer' | 'answer',
    carrier: string,
  ): { body?: Buffer; contentType?: string } {
    if (message.body.length === 0) return {};
    const contentType = message.get('content-type') ?? 'application/sdp';
    return {
      body: this.#seam.relay({ from, kind, carrier, contentType, body: message.body }),
      contentType,
    };
  }
}

/** The user part of a From/To/URI value ('' when there is none or it does not parse). */
function userOf(value: string | undefined): string {
  try {
    return parseNameAddr(value ?? '').uri.user ?? '';
  } catch {
    return '';
  }
}

/** RFC 3261 §19.1.2: escape what may not stand unescaped in a user part. */
function encodeUser(user: string): string {
  return user.replace(
    /[^A-Za-z0-9\-_.!~*'()&=+$,;?/]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
}

/** We relay session timers (RFC 4028) and nothing else the caller supports (no 100rel: we have no PRACK). */
function supportedWeRelay(request: SipRequest): string | undefined {
  const values = request.getAll('supported').map((v) => v.trim().toLowerCase());
  return values.includes('timer') ? 'timer' : undefined;
}
