import { createResponse } from '../message/index.js';
import type { SipRequest, SipResponse } from '../message/types.js';
import { ServerTransactionBase } from './server-transaction-base.js';
import { TimerSet } from './timer-set.js';
import type { TransactionEnv } from './transaction-env.js';
import type { InboundContext, InviteServerState } from './types.js';

type InviteServerTimer = 'trying' | 'G' | 'H' | 'I' | 'L';

/** RFC 3261 §17.2.1: a 100 Trying goes out if the TU has not responded within this time. */
export const AUTO_TRYING_DELAY_MS = 200;

/**
 * INVITE server transaction: RFC 3261 §17.2.1 (Figure 7) as updated by RFC 6026 §7.1.
 *
 * Proceeding —TU 2xx→ Accepted (Timer L: INVITE retransmissions absorbed, ACKs go to the TU)
 * —TU 300..699→ Completed (Timer G retransmits the response on unreliable transports until the
 * ACK, Timer H gives up) —ACK→ Confirmed (Timer I absorbs further ACKs) → Terminated.
 */
export class InviteServerTransaction extends ServerTransactionBase {
  readonly isInvite = true;
  #state: InviteServerState = 'proceeding';
  readonly #timers = new TimerSet<InviteServerTimer>();
  #intervalG: number;

  constructor(key: string, request: SipRequest, ctx: InboundContext, env: TransactionEnv) {
    super(key, request, ctx, env);
    this.#intervalG = env.timers.t1;
  }

  get state(): InviteServerState {
    return this.#state;
  }

  /** Enter Proceeding: arm the automatic 100 Trying. */
  start(): void {
    this.#timers.start('trying', AUTO_TRYING_DELAY_MS, () => {
      if (this.#state === 'proceeding' && this.lastResponse === undefined) {
        this.sendFromTu(createResponse(this.request, 100));
      }
    });
  }

  respond(response: SipResponse): void {
    if (this.#state !== 'proceeding') {
      this.ignoreResponse(response);
      return;
    }
    this.#timers.clear('trying');
    const status = response.status;
    if (status < 200) {
      this.sendFromTu(response);
    } else if (status < 300) {
      this.#state = 'accepted';
      this.sendFromTu(response);
      this.#timers.start('L', 64 * this.env.timers.t1, () => this.terminate());
    } else {
      this.#state = 'completed';
      this.sendFromTu(response);
      if (!this.reliable) this.#timers.start('G', this.#intervalG, () => this.#onTimerG());
      this.#timers.start('H', 64 * this.env.timers.t1, () => {
        this.emit('timeout');
        this.terminate();
      });
    }
  }

  retransmitFinal(): boolean {
    const final = this.finalResponse;
    if (this.#state !== 'accepted' || final === undefined) return false;
    this.transmit(final);
    return true;
  }

  receiveRetransmission(): void {
    // Proceeding: re-send the most recent provisional; Completed: the final. Accepted (RFC 6026
    // §7.1) and Confirmed absorb it: the TU retransmits its 2xx itself.
    if (this.#state === 'proceeding' || this.#state === 'completed') {
      if (this.lastResponse !== undefined) this.transmit(this.lastResponse);
    }
  }

  /**
   * An ACK matched this transaction. Returns true when it must go to the TU (Accepted state,
   * RFC 6026 §7.1); in Completed it confirms the transaction, elsewhere it is absorbed.
   */
  receiveAck(): boolean {
    if (this.#state === 'accepted') return true;
    if (this.#state === 'completed') {
      this.#state = 'confirmed';
      this.#timers.clear('G');
      this.#timers.clear('H');
      if (this.reliable) this.terminate();
      else this.#timers.start('I', this.env.timers.t4, () => this.terminate());
    }
    return false;
  }

  protected onTerminate(): void {
    this.#timers.clearAll();
    this.#state = 'terminated';
  }

  #onTimerG(): void {
    if (this.#state !== 'completed' || this.lastResponse === undefined) return;
    this.transmit(this.lastResponse);
    this.#intervalG = Math.min(2 * this.#intervalG, this.env.timers.t2);
    this.#timers.start('G', this.#intervalG, () => this.#onTimerG());
  }
}
