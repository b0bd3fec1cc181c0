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
import { withTag } from './address-header.js';
import { callerFailureFor } from './failure-mapping.js';
import type { LegName, SeamCallInfo, SessionDescriptionSeam } from './session-description-seam.js';
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

export type CallState = 'proceeding' | 'early' | 'confirmed' | 'ending' | 'ended';

export interface CallContext {
  core: UserAgentCore;
  sip: Readonly<SipConfig>;
  logger: Logger;
  seamFor(call: SeamCallInfo): SessionDescriptionSeam;
  onEnded(call: Call): void;
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

  constructor(ctx: CallContext, queue: QueueConfig, inviteTx: ServerTransaction) {
    this.#ctx = ctx;
    this.queue = queue;
    this.#inviteTx = inviteTx;
    this.callerCallId = inviteTx.request.get('call-id') ?? '';
    this.#callerOfferedInInvite = inviteTx.request.body.length > 0;
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
    onAck: (_dialog, ack) => this.#onAck('caller', ack),
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
    if (this.#callerOfferedInInvite) {
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
    this.#seam.close?.();
    this.log.info({ reason, durationMs: Date.now() - this.startedAt }, 'call ended');
    this.#ctx.onEnded(this);
  }

  // ─── PBX leg INVITE responses ──────────────────────────────────────────────────────────────

  #pbxProvisional(res: SipResponse, _dialog: Dialog | undefined): void {
    if (res.status === 100 || this.#callerAnswered || this.state === 'ended') return;
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
    this.state = 'confirmed';
    this.log.info({ status: res.status }, 'call answered');
  }

  #pbxFailure(res: SipResponse): void {
    if (this.state === 'ended') return;
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
