import type { SipResponse } from '../message/types.js';
import { ServerTransactionBase } from './server-transaction-base.js';
import { TimerSet } from './timer-set.js';
import type { NonInviteServerState } from './types.js';

/**
 * Non-INVITE server transaction: RFC 3261 §17.2.2 (Figure 8).
 *
 * Trying —TU 1xx→ Proceeding; Trying/Proceeding —TU 200..699→ Completed (Timer J: 64*T1 on
 * unreliable transports, 0 on reliable) → Terminated. Retransmitted requests are discarded in
 * Trying and answered with the last response in Proceeding and Completed.
 */
export class NonInviteServerTransaction extends ServerTransactionBase {
  readonly isInvite = false;
  #state: NonInviteServerState = 'trying';
  readonly #timers = new TimerSet<'J'>();

  get state(): NonInviteServerState {
    return this.#state;
  }

  respond(response: SipResponse): void {
    if (this.#state !== 'trying' && this.#state !== 'proceeding') {
      this.ignoreResponse(response);
      return;
    }
    if (response.status < 200) {
      this.#state = 'proceeding';
      this.sendFromTu(response);
      return;
    }
    this.#state = 'completed';
    this.sendFromTu(response);
    if (this.reliable) this.terminate();
    else this.#timers.start('J', 64 * this.env.timers.t1, () => this.terminate());
  }

  retransmitFinal(): boolean {
    return false;
  }

  receiveRetransmission(): void {
    if (this.#state === 'proceeding' || this.#state === 'completed') {
      if (this.lastResponse !== undefined) this.transmit(this.lastResponse);
    }
  }

  protected onTerminate(): void {
    this.#timers.clearAll();
    this.#state = 'terminated';
  }
}
