import type { Logger } from '../shared/logger.js';
import { AddressAllowList } from '../shared/cidr.js';
import type { Config, QueueConfig } from '../config/schema.js';
import { checkRequest, type RequestPolicy, type SipRequest } from '../sip/message/index.js';
import type { InboundContext } from '../sip/transport/index.js';
import type { ServerTransaction } from '../sip/transaction/index.js';
import type { UserAgentCore, UserAgentCoreUser } from '../sip/dialog/index.js';
import { ALLOW, Call, type CallConsentServices } from './call.js';
import { QueueMatcher } from './queue-matcher.js';
import {
  passThroughSeam,
  type SeamCallInfo,
  type SessionDescriptionSeam,
} from './session-description-seam.js';
import { SourceRateLimiter } from './source-rate-limiter.js';

/** What the caller's INVITE may require and carry (RFC 3261 §8.2.2.3, §8.2.3); it is forwarded. */
const INVITE_POLICY: RequestPolicy = {
  supported: new Set(['timer']),
  accept: new Set(['application/sdp']),
  forwarding: true,
};

export interface B2buaOptions {
  config: Readonly<Config>;
  logger: Logger;
  /** One seam per call; the media plane plugs in here. Default: bodies pass through. */
  seamFor?: (call: SeamCallInfo) => SessionDescriptionSeam;
  /** Prompts and the consent log for queues with a consent policy (issue 6). */
  consent?: CallConsentServices;
}

/** Counters for metrics and tests. */
export interface B2buaStats {
  invites: number;
  rejectedAcl: number;
  rejectedNoQueue: number;
  rejectedRate: number;
  rejectedCapacity: number;
  rejectedDraining: number;
  callsStarted: number;
  callsEnded: number;
}

/**
 * The back-to-back user agent: admits or refuses the caller's INVITE (ACL, rate, capacity,
 * Max-Forwards, Require, Content-Type, queue), then hands it to a `Call`. Never an open relay:
 * nothing is sent to a PBX for a source outside the trunk ACL or a number without a queue.
 */
export class B2bua implements UserAgentCoreUser {
  readonly #core: UserAgentCore;
  readonly #config: Readonly<Config>;
  readonly #log: Logger;
  readonly #trunks: AddressAllowList;
  readonly #peers: AddressAllowList;
  #queues: QueueMatcher;
  readonly #limiter: SourceRateLimiter;
  readonly #seamFor: (call: SeamCallInfo) => SessionDescriptionSeam;
  readonly #consent: CallConsentServices | undefined;
  readonly #calls = new Map<string, Call>();
  readonly #byInvite = new WeakMap<ServerTransaction, Call>();
  #draining = false;
  #drained: (() => void) | undefined;
  readonly stats: B2buaStats = {
    invites: 0,
    rejectedAcl: 0,
    rejectedNoQueue: 0,
    rejectedRate: 0,
    rejectedCapacity: 0,
    rejectedDraining: 0,
    callsStarted: 0,
    callsEnded: 0,
  };

  constructor(core: UserAgentCore, options: B2buaOptions) {
    this.#core = core;
    this.#config = options.config;
    this.#log = options.logger;
    this.#trunks = new AddressAllowList(options.config.acl.trunks);
    this.#peers = new AddressAllowList([
      ...options.config.acl.trunks,
      ...options.config.acl.pbx,
      ...options.config.queues.map((q) => q.pbx.host),
    ]);
    this.#queues = new QueueMatcher(options.config.queues);
    this.#limiter = new SourceRateLimiter({
      ratePerSecond: options.config.sip.rateLimitPerSource,
      burst: options.config.sip.rateLimitBurst,
    });
    this.#seamFor = options.seamFor ?? (() => passThroughSeam);
    this.#consent = options.consent;
  }

  /**
   * Replace the queue list (a change made through the admin API or on another instance): new
   * calls use it at once, calls in progress keep the queue they started with.
   */
  setQueues(queues: readonly QueueConfig[]): void {
    this.#queues = new QueueMatcher(queues);
  }

  /** The queues new calls are matched against, in order. */
  queueNames(): string[] {
    return this.#queues.names;
  }

  get activeCalls(): number {
    return this.#calls.size;
  }

  /** A live call by holdgate's id. */
  call(id: string): Call | undefined {
    return this.#calls.get(id);
  }

  calls(): IterableIterator<Call> {
    return this.#calls.values();
  }

  onInvite(request: SipRequest, transaction: ServerTransaction, ctx: InboundContext): void {
    this.stats.invites++;
    const source = ctx.source.address;
    const sip = this.#config.sip;
    if (!this.#trunks.allows(source)) {
      // Not a trunk: refuse before looking at the number, so nothing reveals which numbers exist.
      this.stats.rejectedAcl++;
      this.#core.respond(transaction, 403, 'Forbidden');
      return;
    }
    if (!this.#limiter.take(source)) {
      this.stats.rejectedRate++;
      this.#core.respond(transaction, 503, 'Service Unavailable', {
        headers: [['Retry-After', String(sip.retryAfterSeconds)]],
      });
      return;
    }
    if (this.#draining) {
      this.stats.rejectedDraining++;
      this.#core.respond(transaction, 503, 'Service Unavailable', {
        headers: [['Retry-After', String(sip.retryAfterSeconds)]],
      });
      return;
    }
    const rejection = checkRequest(request, INVITE_POLICY);
    if (rejection) {
      this.#core.respond(transaction, rejection.status, rejection.reason, {
        headers: rejection.headers,
      });
      return;
    }
    const queue = this.#queues.match(request);
    if (!queue) {
      this.stats.rejectedNoQueue++;
      this.#core.respond(transaction, 404, 'Not Found');
      return;
    }
    if (this.#calls.size >= sip.maxDialogs) {
      this.stats.rejectedCapacity++;
      this.#core.respond(transaction, 503, 'Service Unavailable', {
        headers: [['Retry-After', String(sip.retryAfterSeconds)]],
      });
      return;
    }
    let call: Call | undefined;
    try {
      call = new Call(
        {
          core: this.#core,
          sip,
          logger: this.#log,
          seamFor: this.#seamFor,
          onEnded: (c) => this.#ended(c),
          ...(this.#consent ? { consent: this.#consent } : {}),
        },
        queue,
        transaction,
      );
      this.#calls.set(call.id, call);
      this.#byInvite.set(transaction, call);
      this.stats.callsStarted++;
      void call.start();
    } catch (err) {
      this.#log.error({ err, callId: call?.id }, 'call setup failed');
      if (call) call.end('setup failed', undefined, 500);
      else this.#core.respond(transaction, 500, 'Server Internal Error');
    }
  }

  onOutOfDialogRequest(
    request: SipRequest,
    transaction: ServerTransaction,
    ctx: InboundContext,
  ): void {
    const peer = this.#peers.allows(ctx.source.address);
    if (!peer) {
      this.#core.respond(transaction, 403, 'Forbidden');
      return;
    }
    if (!this.#limiter.take(ctx.source.address)) {
      this.#core.respond(transaction, 503, 'Service Unavailable', {
        headers: [['Retry-After', String(this.#config.sip.retryAfterSeconds)]],
      });
      return;
    }
    if (request.method === 'OPTIONS') {
      // RFC 3261 §11.2: capabilities; also serves as the trunk's keep-alive ping.
      this.#core.respond(transaction, this.#draining ? 503 : 200, undefined, {
        headers: [
          ['Allow', ALLOW],
          ['Accept', 'application/sdp'],
          ['Supported', 'timer'],
        ],
      });
      return;
    }
    this.#core.respond(transaction, 405, 'Method Not Allowed', { headers: [['Allow', ALLOW]] });
  }

  onCancel(transaction: ServerTransaction): void {
    const call = this.#byInvite.get(transaction);
    if (call) call.cancelFromCaller();
    else if (transaction.finalResponse === undefined)
      this.#core.respond(transaction, 487, 'Request Terminated');
  }

  /**
   * Graceful drain: new INVITEs get 503 + Retry-After; resolves when the last call has ended, or
   * ends the remaining calls (BYE both legs) when the deadline passes.
   */
  drain(deadlineMs: number): Promise<void> {
    this.#draining = true;
    if (this.#calls.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        for (const call of [...this.#calls.values()]) call.end('drain deadline', undefined);
        resolve();
      }, deadlineMs);
      this.#drained = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** End one call by holdgate's id (media timeout, API hang-up); false when there is no such call. */
  endCall(id: string, reason: string): boolean {
    const call = this.#calls.get(id);
    if (!call) return false;
    call.end(reason, undefined);
    return true;
  }

  /** End every call now (shutdown). */
  endAll(reason: string): void {
    for (const call of [...this.#calls.values()]) call.end(reason, undefined);
  }

  #ended(call: Call): void {
    if (!this.#calls.delete(call.id)) return;
    this.stats.callsEnded++;
    if (this.#draining && this.#calls.size === 0) this.#drained?.();
  }
}
