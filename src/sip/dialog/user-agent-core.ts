import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import type { Logger } from '../../shared/logger.js';
import { HoldgateError } from '../../errors/registry.js';
import {
  createResponse,
  cseq as cseqOf,
  callId as callIdOf,
  fromTag as fromTagOf,
  toTag as toTagOf,
  parseNameAddr,
  type SipRequest,
  type SipResponse,
} from '../message/index.js';
import type { Endpoint, InboundContext, TransportProtocol } from '../transport/index.js';
import {
  createBranch,
  type ClientTransaction,
  type ServerTransaction,
  type TransactionLayer,
  type TransactionUser,
} from '../transaction/index.js';
import { Dialog, dialogKey, type DialogOwner, type RespondFn } from './dialog.js';

/** The slice of the transport the core uses directly: ACKs for 2xx are sent outside any transaction. */
export interface DialogTransport {
  send(message: SipRequest, to: Endpoint, connectionId?: string): Promise<void>;
  isReliable(protocol: TransportProtocol): boolean;
  sentBy(protocol: TransportProtocol, family: 4 | 6): { host: string; port: number };
}

/** The layer above the dialogs (the B2BUA in `calls/`). Exceptions are caught and logged. */
export interface UserAgentCoreUser {
  /** An INVITE outside any dialog. Answer it through `core.respond` / `core.provisional`. */
  onInvite(request: SipRequest, transaction: ServerTransaction, ctx: InboundContext): void;
  /** Any other request outside a dialog (OPTIONS, MESSAGE, a stray BYE has a To tag and gets 481). */
  onOutOfDialogRequest(
    request: SipRequest,
    transaction: ServerTransaction,
    ctx: InboundContext,
  ): void;
  /** A CANCEL for an INVITE that has no final response yet (RFC 3261 §9.2); answer the INVITE 487. */
  onCancel(transaction: ServerTransaction): void;
}

/** Callbacks of an INVITE we send (initial, or re-INVITE within a dialog). */
export interface InviteHandlers {
  onProvisional?(response: SipResponse, dialog: Dialog | undefined): void;
  /** The first 2xx of each dialog; the TU must call `core.ack` (it may carry the answer). */
  onSuccess(response: SipResponse, dialog: Dialog): void;
  /** A non-2xx final response; timeouts arrive as a synthesized 408, transport failures as 503 (§8.1.3.1). */
  onFailure(response: SipResponse): void;
}

/** Callbacks of a non-INVITE request we send. */
export interface RequestHandlers {
  onProvisional?(response: SipResponse): void;
  onFinal(response: SipResponse): void;
}

export interface UserAgentCoreOptions {
  t1: number;
  t2: number;
  logger: Logger;
  userAgent?: string;
}

/** An INVITE on its way out: cancel it (RFC 3261 §9.1), or inspect its transaction. */
export interface OutgoingInvite {
  readonly transaction: ClientTransaction;
  cancel(reason?: string): void;
}

interface UasTxState {
  toTag: string;
  dialog: Dialog | undefined;
  owner: DialogOwner | undefined;
}

interface AckRecord {
  cseq: number;
  ack: SipRequest;
  destination: Endpoint;
}

/**
 * The user agent core of RFC 3261 §8 with the dialog layer of §12–§14 on top of the transaction
 * layer: creates and matches dialogs, checks in-dialog CSeq ordering (§12.2.2), answers glare with
 * 491 and overlapping offers with 500 + Retry-After (§14.2, RFC 3311 §5.2), retransmits our 2xx to
 * INVITE until the ACK arrives (§13.3.1.4) and builds the ACK for a received 2xx (§13.2.2.4),
 * re-sending it on every retransmission of that 2xx.
 */
export class UserAgentCore implements TransactionUser {
  readonly #transactions: TransactionLayer;
  readonly #transport: DialogTransport;
  readonly #options: UserAgentCoreOptions;
  readonly #log: Logger;
  readonly #dialogs = new Map<string, Dialog>();
  readonly #uas = new WeakMap<ServerTransaction, UasTxState>();
  /** ACKs we sent for 2xx, per dialog id and INVITE CSeq, re-sent on 2xx retransmissions. */
  readonly #acks = new Map<string, Map<number, AckRecord>>();
  readonly #retransmit = new Map<string, NodeJS.Timeout>();
  #user: UserAgentCoreUser | undefined;

  constructor(
    transactions: TransactionLayer,
    transport: DialogTransport,
    options: UserAgentCoreOptions,
  ) {
    this.#transactions = transactions;
    this.#transport = transport;
    this.#options = options;
    this.#log = options.logger;
  }

  setUser(user: UserAgentCoreUser): void {
    this.#user = user;
  }

  get dialogCount(): number {
    return this.#dialogs.size;
  }

  /** A fresh tag (RFC 3261 §19.3: at least 32 random bits; we use 96). */
  static newTag(): string {
    return randomBytes(12).toString('base64url');
  }

  /** A fresh Call-ID (RFC 3261 §8.1.1.4). */
  static newCallId(): string {
    return randomBytes(18).toString('base64url');
  }

  /** Our Contact for a dialog over `protocol` toward an address family. */
  contactFor(protocol: TransportProtocol, family: 4 | 6, user = 'holdgate'): string {
    const { host, port } = this.#transport.sentBy(protocol, family);
    const h = isIP(host) === 6 ? `[${host}]` : host;
    const tp = protocol === 'udp' ? '' : `;transport=${protocol}`;
    return `<sip:${user}@${h}:${port}${tp}>`;
  }

  // ─── TransactionUser ────────────────────────────────────────────────────────────────────────

  onRequest(request: SipRequest, transaction: ServerTransaction, ctx: InboundContext): void {
    const toTag = toTagOf(request);
    if (toTag === undefined) {
      if (request.method === 'INVITE') this.#user?.onInvite(request, transaction, ctx);
      else this.#user?.onOutOfDialogRequest(request, transaction, ctx);
      return;
    }
    const fromTag = fromTagOf(request) ?? '';
    const dialog = this.#dialogs.get(dialogKey(callIdOf(request), toTag, fromTag));
    if (!dialog || dialog.state === 'terminated') {
      // §12.2.2: a request with a To tag that matches no dialog.
      this.#answer(transaction, 481, 'Call/Transaction Does Not Exist');
      return;
    }
    this.#inDialogRequest(dialog, request, transaction);
  }

  onCancel(_cancel: SipRequest, inviteTransaction: ServerTransaction): void {
    const state = this.#uas.get(inviteTransaction);
    if (state?.dialog?.owner?.onCancel) state.dialog.owner.onCancel(state.dialog);
    this.#user?.onCancel(inviteTransaction);
  }

  onAck(ack: SipRequest): void {
    const toTag = toTagOf(ack);
    if (toTag === undefined) return; // a bare ACK for no dialog is dropped silently
    const dialog = this.#dialogs.get(dialogKey(callIdOf(ack), toTag, fromTagOf(ack) ?? ''));
    if (!dialog) return;
    const seq = cseqOf(ack).seq;
    if (dialog.awaitingAck !== seq) return; // a retransmitted or stale ACK
    dialog.awaitingAck = undefined;
    this.#stopRetransmit(dialog);
    if (dialog.state === 'early') dialog.state = 'confirmed';
    const owner = dialog.owner;
    if (owner) this.#safe('onAck', () => owner.onAck(dialog, ack));
  }

  onStrayResponse(response: SipResponse): void {
    // A 2xx retransmission after the INVITE client transaction ended (§13.2.2.4): re-send the ACK.
    if (response.status < 200 || response.status >= 300) return;
    const c = cseqOf(response);
    if (c.method !== 'INVITE') return;
    this.#resendAck(response, c.seq);
  }

  // ─── UAS side ──────────────────────────────────────────────────────────────────────────────

  /**
   * Answer a request. For an INVITE, a 101–299 with our tag creates or confirms the UAS dialog;
   * a 2xx is retransmitted until the ACK arrives (§13.3.1.4). Returns the dialog for INVITEs.
   */
  respond(
    transaction: ServerTransaction,
    status: number,
    reason?: string,
    opts: {
      body?: Buffer;
      contentType?: string;
      headers?: readonly (readonly [string, string])[];
      owner?: DialogOwner;
    } = {},
  ): Dialog | undefined {
    const request = transaction.request;
    const initial = request.method === 'INVITE' && toTagOf(request) === undefined;
    let state = this.#uas.get(transaction);
    if (!state) {
      state = {
        toTag: toTagOf(request) ?? UserAgentCore.newTag(),
        dialog: undefined,
        owner: opts.owner,
      };
      this.#uas.set(transaction, state);
    }
    if (opts.owner) state.owner = opts.owner;
    const headers: [string, string][] = [];
    if (this.#options.userAgent) headers.push(['Server', this.#options.userAgent]);
    let dialog: Dialog | undefined = state.dialog;
    if (initial && status > 100 && status < 300) {
      dialog ??= this.#createUasDialog(transaction, state.toTag, state.owner);
      state.dialog = dialog;
      headers.push(['Contact', dialog.contact]);
    } else if (request.method === 'INVITE' && status >= 200 && status < 300) {
      const d = this.#dialogOf(request, true);
      if (d) {
        dialog = d;
        headers.push(['Contact', d.contact]);
      }
    }
    for (const h of opts.headers ?? []) headers.push([h[0], h[1]]);
    const response = createResponse(request, status, reason, {
      ...(status > 100 ? { toTag: state.toTag } : {}),
      ...(opts.body ? { body: opts.body } : {}),
      ...(opts.contentType ? { contentType: opts.contentType } : {}),
      headers,
    });
    transaction.respond(response);
    if (request.method === 'INVITE' && dialog) {
      if (status >= 200) {
        if (dialog.pendingIncomingOffer === cseqOf(request).seq)
          dialog.pendingIncomingOffer = undefined;
      }
      if (status >= 200 && status < 300) {
        dialog.awaitingAck = cseqOf(request).seq;
        this.#startRetransmit(dialog, transaction);
      } else if (status >= 300 && initial) {
        this.#terminate(dialog);
      }
    } else if (request.method === 'UPDATE' && status >= 200) {
      const d = this.#dialogOf(request, true);
      if (d && d.pendingIncomingOffer === cseqOf(request).seq) d.pendingIncomingOffer = undefined;
      if (d && status < 300) d.refreshTarget(request.get('contact'));
    }
    return dialog;
  }

  /** A `respond` bound to one transaction, for owners. */
  responder(transaction: ServerTransaction): RespondFn {
    return (status, reason, opts) => {
      this.respond(transaction, status, reason, opts ?? {});
    };
  }

  // ─── UAC side ──────────────────────────────────────────────────────────────────────────────

  /**
   * Send an initial INVITE (RFC 3261 §13.2.1). Early dialogs are created from 1xx with a To tag,
   * confirmed ones from 2xx; the TU must ACK each 2xx with `ack`.
   */
  invite(
    request: SipRequest,
    destination: Endpoint,
    handlers: InviteHandlers,
    owner: DialogOwner | undefined,
  ): OutgoingInvite {
    // The early dialogs this INVITE created (forking may create several); a failure ends them.
    const early = new Set<Dialog>();
    const fail = (response: SipResponse): void => {
      for (const d of early) if (d.state === 'early') this.#terminate(d);
      this.#safe('onFailure', () => handlers.onFailure(response));
    };
    const tx = this.#transactions.sendRequest(request, destination, {
      onProvisional: (res) => {
        const dialog = this.#uacDialogFrom(request, res, destination, owner, 'early');
        if (dialog) early.add(dialog);
        this.#safe('onProvisional', () => handlers.onProvisional?.(res, dialog));
      },
      onFinal: (res) => {
        if (res.status >= 200 && res.status < 300) {
          const key = dialogKey(callIdOf(res), fromTagOf(res) ?? '', toTagOf(res) ?? '');
          const existing = this.#dialogs.get(key);
          if (existing && existing.state === 'confirmed') {
            this.#resendAck(res, cseqOf(res).seq);
            return;
          }
          const dialog = this.#uacDialogFrom(request, res, destination, owner, 'confirmed');
          if (!dialog) {
            this.#safe('onFailure', () =>
              handlers.onFailure(this.#synthesize(request, 502, 'Bad Gateway')),
            );
            return;
          }
          dialog.state = 'confirmed';
          dialog.refreshTarget(res.get('contact'));
          this.#safe('onSuccess', () => handlers.onSuccess(res, dialog));
        } else {
          fail(res);
        }
      },
      onTimeout: () => fail(this.#synthesize(request, 408, 'Request Timeout')),
      onTransportError: () => fail(this.#synthesize(request, 503, 'Service Unavailable')),
    });
    return { transaction: tx, cancel: (reason) => tx.cancel(reason) };
  }

  /**
   * Send a request within a dialog (§12.2.1.1). An INVITE or UPDATE carrying (or soliciting) an
   * offer is tracked for glare: while it is pending, a crossing INVITE/UPDATE gets 491 (§14.2).
   */
  request(
    dialog: Dialog,
    method: string,
    opts: { body?: Buffer; contentType?: string; headers?: readonly (readonly [string, string])[] },
    handlers: RequestHandlers,
  ): ClientTransaction | undefined {
    if (dialog.state === 'terminated' && method !== 'BYE') return undefined;
    const { request, destination } = dialog.createRequest(method, opts);
    const seq = cseqOf(request).seq;
    const offerLike = method === 'INVITE' || method === 'UPDATE';
    if (offerLike) dialog.pendingOutgoingOffer = seq;
    const clear = (): void => {
      if (dialog.pendingOutgoingOffer === seq) dialog.pendingOutgoingOffer = undefined;
    };
    if (method === 'BYE') this.#terminate(dialog);
    try {
      return this.#transactions.sendRequest(
        request,
        destination,
        {
          onProvisional: (res) => this.#safe('onProvisional', () => handlers.onProvisional?.(res)),
          onFinal: (res) => {
            if (method === 'INVITE' && res.status >= 200 && res.status < 300) {
              const done = this.#acks.get(dialog.id)?.get(seq);
              if (done) {
                void this.#sendAck(done);
                return;
              }
            }
            clear();
            if (res.status >= 200 && res.status < 300 && offerLike)
              dialog.refreshTarget(res.get('contact'));
            if (res.status === 481 || res.status === 408) {
              // §12.2.1.2: the dialog is gone at the far end.
              if (method !== 'BYE')
                this.#log.debug(
                  { callId: dialog.callId, status: res.status },
                  'dialog gone at peer',
                );
            }
            this.#safe('onFinal', () => handlers.onFinal(res));
          },
          onTimeout: () => {
            clear();
            this.#safe('onFinal', () =>
              handlers.onFinal(this.#synthesize(request, 408, 'Request Timeout')),
            );
          },
          onTransportError: () => {
            clear();
            this.#safe('onFinal', () =>
              handlers.onFinal(this.#synthesize(request, 503, 'Service Unavailable')),
            );
          },
        },
        dialog.connectionId,
      );
    } catch (err) {
      clear();
      this.#log.warn({ err, callId: dialog.callId }, 'in-dialog request not sent');
      queueMicrotask(() => {
        this.#safe('onFinal', () =>
          handlers.onFinal(this.#synthesize(request, 503, 'Service Unavailable')),
        );
      });
      return undefined;
    }
  }

  /** ACK a 2xx to INVITE (§13.2.2.4), optionally with the answer to an offer in that 2xx. */
  ack(
    dialog: Dialog,
    inviteCSeq: number,
    opts: { body?: Buffer; contentType?: string } = {},
  ): void {
    const { request, destination } = dialog.createRequest('ACK', { ...opts, cseq: inviteCSeq });
    const { host, port } = this.#transport.sentBy(
      destination.protocol,
      isIP(destination.address) === 6 ? 6 : 4,
    );
    const h = isIP(host) === 6 ? `[${host}]` : host;
    request.prepend(
      'Via',
      `SIP/2.0/${destination.protocol.toUpperCase()} ${h}:${port};branch=${createBranch()};rport`,
    );
    const record: AckRecord = { cseq: inviteCSeq, ack: request, destination };
    let acks = this.#acks.get(dialog.id);
    if (!acks) {
      acks = new Map();
      this.#acks.set(dialog.id, acks);
    }
    acks.set(inviteCSeq, record);
    void this.#sendAck(record, dialog.connectionId);
  }

  /** Mark a dialog terminated and forget it (after BYE, a final failure, or an ACK timeout). */
  terminate(dialog: Dialog): void {
    this.#terminate(dialog);
  }

  /** Stop every retransmission timer. */
  close(): void {
    for (const t of this.#retransmit.values()) clearTimeout(t);
    this.#retransmit.clear();
  }

  // ─── internals ─────────────────────────────────────────────────────────────────────────────

  #inDialogRequest(dialog: Dialog, request: SipRequest, transaction: ServerTransaction): void {
    const seq = cseqOf(request).seq;
    // §12.2.2: a request with a lower CSeq than the last one is out of order.
    if (dialog.remoteSeq !== undefined && seq <= dialog.remoteSeq && request.method !== 'ACK') {
      this.#answer(transaction, 500, 'Server Internal Error - CSeq out of order', [
        ['Retry-After', String(randomRetryAfter())],
      ]);
      return;
    }
    dialog.remoteSeq = seq;
    const method = request.method;
    if (method === 'INVITE' || method === 'UPDATE') {
      const hasOffer = request.body.length > 0;
      if (method === 'INVITE' && dialog.awaitingAck !== undefined) {
        // A re-INVITE before the ACK of the previous 2xx: the earlier exchange is not complete.
        this.#answer(transaction, 491, 'Request Pending');
        return;
      }
      if (dialog.pendingOutgoingOffer !== undefined && (method === 'INVITE' || hasOffer)) {
        this.#answer(transaction, 491, 'Request Pending'); // §14.2, RFC 3311 §5.2: glare
        return;
      }
      if (dialog.pendingIncomingOffer !== undefined && (method === 'INVITE' || hasOffer)) {
        this.#answer(transaction, 500, 'Server Internal Error - Request Pending', [
          ['Retry-After', String(randomRetryAfter())],
        ]);
        return;
      }
      dialog.pendingIncomingOffer = seq;
      this.#uas.set(transaction, { toTag: dialog.localTag, dialog, owner: dialog.owner });
      if (method === 'INVITE') dialog.refreshTarget(request.get('contact'));
    }
    if (method === 'BYE') {
      this.#stopRetransmit(dialog);
      dialog.awaitingAck = undefined;
      this.#terminate(dialog);
    }
    const owner = dialog.owner;
    if (!owner) {
      this.#answer(transaction, method === 'BYE' ? 200 : 481);
      return;
    }
    const respond: RespondFn = (status, reason, opts) => {
      this.respond(transaction, status, reason, opts ?? {});
    };
    this.#safe('onRequest', () => owner.onRequest(dialog, request, respond));
  }

  #createUasDialog(
    transaction: ServerTransaction,
    toTag: string,
    owner: DialogOwner | undefined,
  ): Dialog {
    const request = transaction.request;
    const ctx = transaction.ctx;
    const contactValue = request.get('contact');
    let remoteTarget = contactValue ? safeUri(contactValue) : undefined;
    remoteTarget ??= request.uri;
    const family = isIP(ctx.source.address) === 6 ? 6 : 4;
    const dialog = new Dialog({
      role: 'uas',
      callId: callIdOf(request),
      localTag: toTag,
      remoteTag: fromTagOf(request) ?? '',
      localHeader: `${request.get('to') ?? ''};tag=${toTag}`,
      remoteHeader: request.get('from') ?? '',
      localSeq: 0,
      remoteSeq: cseqOf(request).seq,
      remoteTarget,
      routeSet: request.getAll('record-route'),
      protocol: ctx.source.protocol,
      connectionId: ctx.connectionId,
      flow: ctx.source,
      contact: this.contactFor(ctx.source.protocol, family),
      state: 'early',
    });
    dialog.owner = owner;
    this.#dialogs.set(dialog.id, dialog);
    return dialog;
  }

  #uacDialogFrom(
    request: SipRequest,
    response: SipResponse,
    destination: Endpoint,
    owner: DialogOwner | undefined,
    state: 'early' | 'confirmed',
  ): Dialog | undefined {
    const remoteTag = toTagOf(response);
    if (remoteTag === undefined || response.status === 100) return undefined;
    const localTag = fromTagOf(request) ?? '';
    const key = dialogKey(callIdOf(request), localTag, remoteTag);
    const existing = this.#dialogs.get(key);
    if (existing) return existing;
    const contactValue = response.get('contact');
    const remoteTarget = (contactValue ? safeUri(contactValue) : undefined) ?? request.uri;
    const contact = request.get('contact') ?? '';
    const dialog = new Dialog({
      role: 'uac',
      callId: callIdOf(request),
      localTag,
      remoteTag,
      localHeader: request.get('from') ?? '',
      remoteHeader: response.get('to') ?? '',
      localSeq: cseqOf(request).seq,
      remoteSeq: undefined,
      remoteTarget,
      routeSet: response.getAll('record-route').reverse(),
      protocol: destination.protocol,
      connectionId: undefined,
      flow: destination,
      contact,
      state,
    });
    dialog.owner = owner;
    this.#dialogs.set(key, dialog);
    return dialog;
  }

  #dialogOf(message: SipRequest, asUas: boolean): Dialog | undefined {
    const local = asUas ? toTagOf(message) : fromTagOf(message);
    const remote = asUas ? fromTagOf(message) : toTagOf(message);
    if (local === undefined) return undefined;
    return this.#dialogs.get(dialogKey(callIdOf(message), local, remote ?? ''));
  }

  #terminate(dialog: Dialog): void {
    dialog.state = 'terminated';
    this.#stopRetransmit(dialog);
    this.#dialogs.delete(dialog.id);
    // Keep ACK records a while: a retransmitted 2xx may still come (Timer M / 64*T1).
    if (this.#acks.has(dialog.id)) {
      setTimeout(() => this.#acks.delete(dialog.id), 64 * this.#options.t1).unref();
    }
  }

  #resendAck(response: SipResponse, seq: number): void {
    const id = dialogKey(callIdOf(response), fromTagOf(response) ?? '', toTagOf(response) ?? '');
    const record = this.#acks.get(id)?.get(seq);
    if (record) void this.#sendAck(record);
  }

  async #sendAck(record: AckRecord, connectionId?: string): Promise<void> {
    try {
      await this.#transport.send(record.ack, record.destination, connectionId);
    } catch (err) {
      this.#log.debug({ err }, 'ACK not sent');
    }
  }

  /** §13.3.1.4: re-send the 2xx at T1, 2T1, ... capped at T2, until the ACK; give up after 64*T1. */
  #startRetransmit(dialog: Dialog, transaction: ServerTransaction): void {
    this.#stopRetransmit(dialog);
    const reliable = this.#transport.isReliable(transaction.ctx.source.protocol);
    const { t1, t2 } = this.#options;
    const deadline = Date.now() + 64 * t1;
    let interval = t1;
    const tick = (): void => {
      if (dialog.awaitingAck === undefined) return;
      if (Date.now() >= deadline) {
        this.#retransmit.delete(dialog.id);
        dialog.awaitingAck = undefined;
        const owner = dialog.owner;
        if (owner) this.#safe('onAckTimeout', () => owner.onAckTimeout(dialog));
        return;
      }
      if (!reliable) transaction.retransmitFinal();
      interval = Math.min(interval * 2, t2);
      const next = reliable
        ? deadline - Date.now()
        : Math.min(interval, Math.max(1, deadline - Date.now()));
      this.#retransmit.set(dialog.id, setTimeout(tick, next));
    };
    this.#retransmit.set(dialog.id, setTimeout(tick, reliable ? 64 * t1 : t1));
  }

  #stopRetransmit(dialog: Dialog): void {
    const t = this.#retransmit.get(dialog.id);
    if (t) clearTimeout(t);
    this.#retransmit.delete(dialog.id);
  }

  #answer(
    transaction: ServerTransaction,
    status: number,
    reason?: string,
    headers: readonly (readonly [string, string])[] = [],
  ): void {
    const toTag =
      toTagOf(transaction.request) ?? (status > 100 ? UserAgentCore.newTag() : undefined);
    transaction.respond(
      createResponse(transaction.request, status, reason, { ...(toTag ? { toTag } : {}), headers }),
    );
  }

  #synthesize(request: SipRequest, status: number, reason: string): SipResponse {
    return createResponse(request, status, reason);
  }

  #safe(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.#log.error(
        {
          err:
            err instanceof Error ? err : new HoldgateError('HG_ERR_NOT_IMPLEMENTED', String(err)),
          what,
        },
        'dialog user threw',
      );
    }
  }
}

function safeUri(nameAddrText: string): string | undefined {
  try {
    return parseNameAddr(nameAddrText).uriText;
  } catch {
    return undefined;
  }
}

/** §14.2: Retry-After between 0 and 10 seconds. */
function randomRetryAfter(): number {
  return Math.floor(Math.random() * 11);
}
