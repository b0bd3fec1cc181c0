import type { HoldgateError } from '../../errors/registry.js';
import type { SipRequest, SipResponse } from '../message/types.js';
import { invokeListener } from './invoke-listener.js';
import { TimerSet } from './timer-set.js';
import type { TransactionEnv } from './transaction-env.js';
import { guardedSend, toTransportError } from './transport-error.js';
import type {
  ClientTransaction,
  ClientTransactionHandlers,
  Endpoint,
  NonInviteClientState,
} from './types.js';

type NonInviteClientTimer = 'E' | 'F' | 'K';

/**
 * Non-INVITE client transaction: RFC 3261 §17.1.2 (Figure 6).
 *
 * Trying —1xx→ Proceeding; Trying/Proceeding —200..699→ Completed (Timer K) → Terminated.
 * Timer E retransmits on unreliable transports (doubling up to T2 in Trying, T2 in Proceeding).
 * Timer F (64*T1) times the transaction out in Trying AND Proceeding: a 100 Trying does not stop it.
 */
export class NonInviteClientTransaction implements ClientTransaction {
  #state: NonInviteClientState = 'trying';
  readonly #timers = new TimerSet<NonInviteClientTimer>();
  readonly #reliable: boolean;
  #intervalE: number;
  #transportErrorReported = false;

  constructor(
    readonly key: string,
    readonly request: SipRequest,
    readonly branch: string,
    readonly destination: Endpoint,
    readonly connectionId: string | undefined,
    private readonly handlers: ClientTransactionHandlers,
    private readonly env: TransactionEnv,
  ) {
    this.#reliable = env.transport.isReliable(destination.protocol);
    this.#intervalE = env.timers.t1;
  }

  get method(): string {
    return this.request.method;
  }

  get state(): NonInviteClientState {
    return this.#state;
  }

  /** Enter Trying: send the request, start Timers E (unreliable only) and F. */
  start(): void {
    this.#send();
    if (!this.#reliable) this.#timers.start('E', this.#intervalE, () => this.#onTimerE());
    this.#timers.start('F', 64 * this.env.timers.t1, () => this.#onTimerF());
  }

  /** CANCEL applies to INVITE only (RFC 3261 §9.1): a no-op here. */
  cancel(): void {
    // Intentionally empty: "a CANCEL SHOULD NOT be sent to cancel a request other than INVITE".
  }

  receiveResponse(response: SipResponse): void {
    if (this.#state !== 'trying' && this.#state !== 'proceeding') return; // Completed absorbs
    if (response.status < 200) {
      this.#state = 'proceeding';
      invokeListener(this.env.logger, 'onProvisional', () =>
        this.handlers.onProvisional?.(response),
      );
      return;
    }
    this.#state = 'completed';
    this.#timers.clearAll();
    invokeListener(this.env.logger, 'onFinal', () => this.handlers.onFinal(response));
    if (!this.#isIn('completed')) return; // the TU's callback may have closed the layer
    if (this.#reliable) this.#terminate();
    else this.#timers.start('K', this.env.timers.t4, () => this.#terminate());
  }

  dispose(): void {
    this.#timers.clearAll();
    this.#state = 'terminated';
  }

  /** State check that TypeScript does not narrow away across TU callbacks. */
  #isIn(state: NonInviteClientState): boolean {
    return this.#state === state;
  }

  #onTimerE(): void {
    if (this.#state === 'trying') {
      this.#send();
      this.#intervalE = Math.min(2 * this.#intervalE, this.env.timers.t2);
    } else if (this.#state === 'proceeding') {
      this.#send();
      this.#intervalE = this.env.timers.t2;
    } else {
      return;
    }
    this.#timers.start('E', this.#intervalE, () => this.#onTimerE());
  }

  #onTimerF(): void {
    if (this.#state !== 'trying' && this.#state !== 'proceeding') return;
    invokeListener(this.env.logger, 'onTimeout', () => this.handlers.onTimeout());
    this.#terminate();
  }

  #send(): void {
    guardedSend(() =>
      this.env.transport.send(this.request, this.destination, this.connectionId),
    ).catch((err: unknown) => this.#onTransportError(toTransportError(err)));
  }

  /** §17.1.4: inform the TU and go straight to Terminated. */
  #onTransportError(error: HoldgateError): void {
    if (this.#state === 'terminated' || this.#transportErrorReported) return;
    this.#transportErrorReported = true;
    invokeListener(this.env.logger, 'onTransportError', () =>
      this.handlers.onTransportError(error),
    );
    this.#terminate();
  }

  #terminate(): void {
    if (this.#state === 'terminated') return;
    this.#state = 'terminated';
    this.#timers.clearAll();
    this.env.release(this.key);
    invokeListener(this.env.logger, 'onTerminated', () => this.handlers.onTerminated?.());
  }
}
