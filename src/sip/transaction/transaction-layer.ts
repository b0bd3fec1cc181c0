import { isIPv6 } from 'node:net';
import { HoldgateError } from '../../errors/registry.js';
import { silentLogger, type Logger } from '../../shared/logger.js';
import { createResponse, toTag, topVia } from '../message/index.js';
import type { SipMessage, SipRequest, SipResponse } from '../message/types.js';
import { createBranch } from './branch.js';
import { invokeListener } from './invoke-listener.js';
import { InviteClientTransaction } from './invite-client-transaction.js';
import { InviteServerTransaction } from './invite-server-transaction.js';
import { NonInviteClientTransaction } from './non-invite-client-transaction.js';
import { NonInviteServerTransaction } from './non-invite-server-transaction.js';
import { resolveTimerValues } from './timer-values.js';
import { clientKey, responseKey, serverKey } from './transaction-key.js';
import type { TransactionEnv } from './transaction-env.js';
import { guardedSend } from './transport-error.js';
import type {
  ClientTransaction,
  ClientTransactionHandlers,
  Endpoint,
  InboundContext,
  TransactionLayerOptions,
  TransactionTimerValues,
  TransactionTransport,
  TransactionUser,
} from './types.js';

type AnyClient = InviteClientTransaction | NonInviteClientTransaction;
type AnyServer = InviteServerTransaction | NonInviteServerTransaction;

const DEFAULT_MAX_TRANSACTIONS = 10_000;
const CAP_WARN_INTERVAL_MS = 10_000;

/** Counters for metrics; nothing is logged per packet. */
export interface TransactionLayerStats {
  /** Requests answered 503 (or CANCELs answered 481) statelessly because the cap was reached. */
  rejectedAtCap: number;
  /** Messages whose Via or CSeq could not identify a transaction; dropped. */
  unmatchable: number;
}

/**
 * The SIP transaction layer (RFC 3261 §17): creates client transactions for the TU's requests,
 * matches responses to them (§17.1.3), matches requests to server transactions (§17.2.3) or
 * creates new ones, and answers CANCEL itself (§9.2).
 */
export class TransactionLayer {
  readonly timers: TransactionTimerValues;
  readonly stats: TransactionLayerStats = { rejectedAtCap: 0, unmatchable: 0 };
  readonly #transport: TransactionTransport;
  readonly #maxTransactions: number;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #clients = new Map<string, AnyClient>();
  readonly #servers = new Map<string, AnyServer>();
  readonly #env: TransactionEnv;
  #user: TransactionUser | undefined;
  #closed = false;
  #lastCapWarning = Number.NEGATIVE_INFINITY;

  constructor(transport: TransactionTransport, options: TransactionLayerOptions = {}) {
    this.#transport = transport;
    this.timers = resolveTimerValues(options);
    this.#maxTransactions = options.maxTransactions ?? DEFAULT_MAX_TRANSACTIONS;
    this.#logger = (options.logger ?? silentLogger()).child({ component: 'sip-transaction' });
    this.#now = options.now ?? Date.now;
    this.#env = {
      transport,
      timers: this.timers,
      logger: this.#logger,
      release: (key) => {
        if (!this.#clients.delete(key)) this.#servers.delete(key);
      },
      startCancel: (cancel, to, connectionId) => {
        this.#startCancel(cancel, to, connectionId);
      },
    };
  }

  /** Live transactions, client and server. */
  get size(): number {
    return this.#clients.size + this.#servers.size;
  }

  setUser(user: TransactionUser): void {
    this.#user = user;
  }

  /** A fresh RFC 3261 branch (`z9hG4bK` + 144 random bits). */
  createBranch(): string {
    return createBranch();
  }

  /**
   * Send `request` through a new client transaction (RFC 3261 §17.1). Adds the top Via with a new
   * branch and `rport` (RFC 3581). Throws HG_ERR_SIP_TRANSACTION_LIMIT at the cap. ACK is not sent
   * through a transaction (§17.1.1.3: the ACK for a 2xx belongs to the dialog): send it directly.
   * Throws HG_ERR_SIP_TRANSPORT if the transport has no listener for `to.protocol` (from `sentBy`).
   */
  sendRequest(
    request: SipRequest,
    to: Endpoint,
    handlers: ClientTransactionHandlers,
    connectionId?: string,
  ): ClientTransaction {
    if (request.method === 'ACK') {
      throw new RangeError('ACK is not sent through a client transaction (RFC 3261 §17.1.1.3)');
    }
    if (this.#closed) throw new HoldgateError('HG_ERR_SIP_TRANSPORT', 'transaction layer closed');
    if (this.size >= this.#maxTransactions) {
      this.#warnCap();
      throw new HoldgateError('HG_ERR_SIP_TRANSACTION_LIMIT', undefined, {
        max: this.#maxTransactions,
      });
    }
    const branch = createBranch();
    const sentBy = this.#transport.sentBy(to.protocol, isIPv6(to.address) ? 6 : 4);
    const host =
      sentBy.host.includes(':') && !sentBy.host.startsWith('[') ? `[${sentBy.host}]` : sentBy.host;
    request.prepend(
      'Via',
      `SIP/2.0/${to.protocol.toUpperCase()} ${host}:${sentBy.port};branch=${branch};rport`,
    );
    const key = clientKey(branch, request.method);
    const transaction =
      request.method === 'INVITE'
        ? new InviteClientTransaction(key, request, branch, to, connectionId, handlers, this.#env)
        : new NonInviteClientTransaction(
            key,
            request,
            branch,
            to,
            connectionId,
            handlers,
            this.#env,
          );
    this.#clients.set(key, transaction);
    transaction.start();
    return transaction;
  }

  /** Entry point for every message the transport received. Never throws. */
  receive(message: SipMessage, ctx: InboundContext): void {
    if (this.#closed) return;
    try {
      if (message.kind === 'response') this.#receiveResponse(message, ctx);
      else if (message.method === 'ACK') this.#receiveAck(message, ctx);
      else if (message.method === 'CANCEL') this.#receiveCancel(message, ctx);
      else this.#receiveRequest(message, ctx);
    } catch (err) {
      this.#logger.error({ err }, 'sip transaction layer failed to process a message');
    }
  }

  /** Stop every timer and forget every transaction, without callbacks. Idempotent. */
  close(): void {
    this.#closed = true;
    for (const t of this.#clients.values()) t.dispose();
    for (const t of this.#servers.values()) t.dispose();
    this.#clients.clear();
    this.#servers.clear();
  }

  /** §17.1.3: branch of the top Via + CSeq method. */
  #receiveResponse(response: SipResponse, ctx: InboundContext): void {
    const key = responseKey(response);
    const client = key === undefined ? undefined : this.#clients.get(key);
    if (client !== undefined) {
      client.receiveResponse(response);
      return;
    }
    if (key === undefined) this.stats.unmatchable++;
    const user = this.#user;
    if (user !== undefined) {
      invokeListener(this.#logger, 'onStrayResponse', () => {
        user.onStrayResponse(response, ctx);
      });
    }
  }

  /** §17.2.3: an ACK matches the INVITE server transaction; otherwise it is the dialog's. */
  #receiveAck(ack: SipRequest, ctx: InboundContext): void {
    const sk = serverKey(ack, 'INVITE');
    let invite = this.#inviteServer(sk?.key);
    // RFC 2543 rule: the ACK's To tag must equal the To tag of the response we sent.
    if (invite !== undefined && sk?.legacy === true) {
      const sent = invite.lastSent;
      if (sent === undefined || toTag(sent) !== toTag(ack)) invite = undefined;
    }
    const user = this.#user;
    if (invite === undefined) {
      if (user !== undefined) invokeListener(this.#logger, 'onAck', () => user.onAck(ack, ctx));
      return;
    }
    const toTu = invite.receiveAck();
    if (toTu && user !== undefined) {
      const txn = invite;
      invokeListener(this.#logger, 'onAck', () => user.onAck(ack, ctx, txn));
    }
  }

  /** §9.2: the layer answers CANCEL itself: 200 if it matches an INVITE server transaction, else 481. */
  #receiveCancel(cancel: SipRequest, ctx: InboundContext): void {
    const own = serverKey(cancel);
    if (own === undefined) {
      this.stats.unmatchable++;
      return;
    }
    const existing = this.#servers.get(own.key);
    if (existing !== undefined) {
      existing.receiveRetransmission();
      return;
    }
    const invite = this.#inviteServer(serverKey(cancel, 'INVITE')?.key);
    if (invite === undefined && this.size >= this.#maxTransactions) {
      this.#rejectStateless(cancel, ctx, 481);
      return;
    }
    const txn = new NonInviteServerTransaction(own.key, cancel, ctx, this.#env);
    this.#servers.set(own.key, txn);
    if (invite === undefined) {
      txn.respond(createResponse(cancel, 481));
      return;
    }
    // §9.2: the To tag of the 200 to the CANCEL equals that of our response to the INVITE.
    const tag = invite.lastSent === undefined ? undefined : toTag(invite.lastSent);
    txn.respond(createResponse(cancel, 200, tag === undefined ? {} : { toTag: tag }));
    // A CANCEL after the final response has no effect on the INVITE (§9.2).
    if (invite.state !== 'proceeding') return;
    const user = this.#user;
    if (user !== undefined) {
      invokeListener(this.#logger, 'onCancel', () => user.onCancel(cancel, invite, ctx));
    }
  }

  /** §17.2.3: a retransmission goes to its transaction; a new request creates one. */
  #receiveRequest(request: SipRequest, ctx: InboundContext): void {
    const sk = serverKey(request);
    if (sk === undefined) {
      this.stats.unmatchable++;
      return;
    }
    const existing = this.#servers.get(sk.key);
    if (existing !== undefined) {
      existing.receiveRetransmission();
      return;
    }
    if (this.size >= this.#maxTransactions) {
      this.#rejectStateless(request, ctx, 503);
      return;
    }
    const txn =
      request.method === 'INVITE'
        ? new InviteServerTransaction(sk.key, request, ctx, this.#env)
        : new NonInviteServerTransaction(sk.key, request, ctx, this.#env);
    this.#servers.set(sk.key, txn);
    if (txn instanceof InviteServerTransaction) txn.start();
    const user = this.#user;
    if (user === undefined) {
      txn.respond(createResponse(request, 503));
      return;
    }
    try {
      user.onRequest(request, txn, ctx);
    } catch (err) {
      this.#logger.error(
        { err, method: request.method },
        'sip transaction user threw on a request',
      );
      // Never leave the peer hanging because the TU failed.
      if (txn.finalResponse === undefined) txn.respond(createResponse(request, 500));
    }
  }

  #inviteServer(key: string | undefined): InviteServerTransaction | undefined {
    if (key === undefined) return undefined;
    const txn = this.#servers.get(key);
    return txn instanceof InviteServerTransaction ? txn : undefined;
  }

  #startCancel(cancel: SipRequest, to: Endpoint, connectionId: string | undefined): void {
    const branch = topVia(cancel).branch ?? '';
    const key = clientKey(branch, 'CANCEL');
    if (this.#clients.has(key)) return;
    const log = this.#logger;
    // The outcome of the INVITE arrives on the INVITE transaction (487 or a crossing 2xx).
    const handlers: ClientTransactionHandlers = {
      onFinal: (res) => {
        if (res.status >= 300) log.debug({ status: res.status }, 'sip CANCEL was refused');
      },
      onTimeout: () => {
        log.debug('sip CANCEL timed out');
      },
      onTransportError: (err) => {
        log.debug({ err }, 'sip CANCEL could not be sent');
      },
    };
    // A CANCEL is never refused at the cap: it releases resources on both sides.
    const txn = new NonInviteClientTransaction(
      key,
      cancel,
      branch,
      to,
      connectionId,
      handlers,
      this.#env,
    );
    this.#clients.set(key, txn);
    txn.start();
  }

  #rejectStateless(request: SipRequest, ctx: InboundContext, status: 481 | 503): void {
    this.stats.rejectedAtCap++;
    this.#warnCap();
    const response =
      status === 503
        ? createResponse(request, 503, { headers: [['Retry-After', '5']] })
        : createResponse(request, 481);
    guardedSend(() => this.#transport.sendResponse(response, ctx.connectionId)).catch(
      (err: unknown) => {
        this.#logger.debug({ err }, 'sip stateless rejection could not be sent');
      },
    );
  }

  #warnCap(): void {
    const now = this.#now();
    if (now - this.#lastCapWarning < CAP_WARN_INTERVAL_MS) return;
    this.#lastCapWarning = now;
    this.#logger.warn(
      { max: this.#maxTransactions, rejected: this.stats.rejectedAtCap },
      'sip transaction cap reached',
    );
  }
}
