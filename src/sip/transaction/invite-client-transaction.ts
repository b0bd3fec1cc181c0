import type { HoldgateError } from '../../errors/registry.js';
import type { SipRequest, SipResponse } from '../message/types.js';
import { buildCancel } from './build-cancel.js';
import { buildNonSuccessAck } from './build-ack.js';
import { invokeListener } from './invoke-listener.js';
import { TIMER_D_UNRELIABLE_MS } from './timer-values.js';
import { TimerSet } from './timer-set.js';
import type { TransactionEnv } from './transaction-env.js';
import { guardedSend, toTransportError } from './transport-error.js';
import type {
  ClientTransaction,
  ClientTransactionHandlers,
  Endpoint,
  InviteClientState,
} from './types.js';

type InviteClientTimer = 'A' | 'B' | 'D' | 'M' | 'cancelGuard';

/**
 * INVITE client transaction: RFC 3261 §17.1.1 (Figure 5) as updated by RFC 6026 §7.2.
 *
 * Calling —1xx→ Proceeding; Calling/Proceeding —2xx→ Accepted (Timer M; every 2xx goes to the TU)
 * —300..699→ Completed (ACK sent by the transaction, Timer D). Timer A retransmits the INVITE on
 * unreliable transports only; Timer B ends the Calling state with a timeout. CANCEL per §9.1.
 *
 * FIXME(rfc3261 §16.6 step 11): nothing bounds Proceeding without a CANCEL (Timer C is a proxy
 * timer); the TU must cancel a ringing INVITE it no longer wants (e.g. its own ring timeout).
 */
export class InviteClientTransaction implements ClientTransaction {
  readonly method = 'INVITE';
  #state: InviteClientState = 'calling';
  readonly #timers = new TimerSet<InviteClientTimer>();
  readonly #reliable: boolean;
  #intervalA: number;
  #ack: SipRequest | undefined;
  #cancel: 'none' | 'pending' | 'sent' = 'none';
  #cancelReason: string | undefined;
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
    this.#intervalA = env.timers.t1;
  }

  get state(): InviteClientState {
    return this.#state;
  }

  /** Enter Calling: send the INVITE, start Timers A (unreliable only) and B. */
  start(): void {
    this.#send(this.request);
    if (!this.#reliable) this.#timers.start('A', this.#intervalA, () => this.#onTimerA());
    this.#timers.start('B', 64 * this.env.timers.t1, () => this.#onTimerB());
  }

  cancel(reason?: string): void {
    if (this.#cancel !== 'none') return;
    if (this.#state === 'calling') {
      // §9.1: no provisional yet — the CANCEL waits for one (a final response makes it moot).
      this.#cancel = 'pending';
      this.#cancelReason = reason;
    } else if (this.#state === 'proceeding') {
      this.#cancelReason = reason;
      this.#sendCancel();
    }
  }

  /** A response matched this transaction (§17.1.3). */
  receiveResponse(response: SipResponse): void {
    const status = response.status;
    switch (this.#state) {
      case 'calling':
      case 'proceeding':
        if (status < 200) {
          this.#state = 'proceeding';
          this.#timers.clear('A');
          this.#timers.clear('B');
          this.#notify('onProvisional', () => this.handlers.onProvisional?.(response));
          // The TU may have ended the transaction from its callback.
          if (this.#cancel === 'pending' && this.#isIn('proceeding')) this.#sendCancel();
        } else if (status < 300) {
          this.#enterAccepted(response);
        } else {
          this.#enterCompleted(response);
        }
        return;
      case 'accepted':
        // RFC 6026 §7.2: every 2xx, retransmissions included, goes to the TU (it re-sends its ACK).
        if (status >= 200 && status < 300)
          this.#notify('onFinal', () => this.handlers.onFinal(response));
        return;
      case 'completed':
        // §17.1.1.2: a retransmitted final response is answered with the same ACK, not passed up.
        if (status >= 300 && this.#ack !== undefined) this.#send(this.#ack);
        return;
      case 'terminated':
        return;
    }
  }

  /** Stop all timers and enter Terminated without callbacks (layer shutdown). */
  dispose(): void {
    this.#timers.clearAll();
    this.#state = 'terminated';
  }

  #enterAccepted(response: SipResponse): void {
    this.#state = 'accepted';
    this.#timers.clearAll();
    this.#timers.start('M', 64 * this.env.timers.t1, () => this.#terminate());
    this.#notify('onFinal', () => this.handlers.onFinal(response));
  }

  #enterCompleted(response: SipResponse): void {
    this.#state = 'completed';
    this.#timers.clearAll();
    this.#ack = buildNonSuccessAck(this.request, response);
    this.#send(this.#ack);
    this.#notify('onFinal', () => this.handlers.onFinal(response));
    if (!this.#isIn('completed')) return; // the TU's callback may have closed the layer
    if (this.#reliable) this.#terminate();
    else this.#timers.start('D', TIMER_D_UNRELIABLE_MS, () => this.#terminate());
  }

  #onTimerA(): void {
    if (this.#state !== 'calling') return;
    this.#send(this.request);
    this.#intervalA *= 2;
    this.#timers.start('A', this.#intervalA, () => this.#onTimerA());
  }

  #onTimerB(): void {
    if (this.#state !== 'calling') return;
    this.#notify('onTimeout', () => this.handlers.onTimeout());
    this.#terminate();
  }

  #sendCancel(): void {
    this.#cancel = 'sent';
    const cancel = buildCancel(this.request, this.#cancelReason);
    this.env.startCancel(cancel, this.destination, this.connectionId);
    // §9.1: no final response within 64*T1 after the CANCEL → consider the INVITE cancelled.
    this.#timers.start('cancelGuard', 64 * this.env.timers.t1, () => {
      if (this.#state !== 'proceeding') return;
      this.#notify('onTimeout', () => this.handlers.onTimeout());
      this.#terminate();
    });
  }

  #send(message: SipRequest): void {
    guardedSend(() => this.env.transport.send(message, this.destination, this.connectionId)).catch(
      (err: unknown) => this.#onTransportError(toTransportError(err)),
    );
  }

  /** §17.1.4: inform the TU and go straight to Terminated. */
  #onTransportError(error: HoldgateError): void {
    if (this.#state === 'terminated' || this.#transportErrorReported) return;
    this.#transportErrorReported = true;
    this.#notify('onTransportError', () => this.handlers.onTransportError(error));
    this.#terminate();
  }

  #terminate(): void {
    if (this.#state === 'terminated') return;
    this.#state = 'terminated';
    this.#timers.clearAll();
    this.env.release(this.key);
    this.#notify('onTerminated', () => this.handlers.onTerminated?.());
  }

  /** State check that TypeScript does not narrow away across TU callbacks. */
  #isIn(state: InviteClientState): boolean {
    return this.#state === state;
  }

  #notify(listener: string, fn: () => void): void {
    invokeListener(this.env.logger, listener, fn);
  }
}
