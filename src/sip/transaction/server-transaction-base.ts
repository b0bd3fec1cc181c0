import type { HoldgateError } from '../../errors/registry.js';
import type { SipRequest, SipResponse } from '../message/types.js';
import { invokeListener } from './invoke-listener.js';
import type { TransactionEnv } from './transaction-env.js';
import { guardedSend, toTransportError } from './transport-error.js';
import type {
  InboundContext,
  ServerTransaction,
  ServerTransactionEvents,
  ServerTransactionState,
} from './types.js';

type Listeners = { [E in keyof ServerTransactionEvents]: ServerTransactionEvents[E][] };

/**
 * What both server transactions (RFC 3261 §17.2) share: sending responses on the connection the
 * request came on, typed listeners that may throw without harm, transport errors (§17.2.4) and the
 * single transition to Terminated.
 */
export abstract class ServerTransactionBase implements ServerTransaction {
  abstract readonly isInvite: boolean;
  abstract get state(): ServerTransactionState;
  abstract respond(response: SipResponse): void;
  abstract retransmitFinal(): boolean;
  /** The request was received again (same key): absorb it or re-send the last response. */
  abstract receiveRetransmission(): void;

  protected readonly reliable: boolean;
  protected lastResponse: SipResponse | undefined;
  #final: SipResponse | undefined;
  #terminated = false;
  #disposed = false;
  #transportErrorReported = false;
  readonly #listeners: Listeners = { transportError: [], timeout: [], terminated: [] };

  constructor(
    readonly key: string,
    readonly request: SipRequest,
    readonly ctx: InboundContext,
    protected readonly env: TransactionEnv,
  ) {
    this.reliable = env.transport.isReliable(ctx.source.protocol);
  }

  get method(): string {
    return this.request.method;
  }

  get finalResponse(): SipResponse | undefined {
    return this.#final;
  }

  /** The most recent response sent (provisional or final). */
  get lastSent(): SipResponse | undefined {
    return this.lastResponse;
  }

  on<E extends keyof ServerTransactionEvents>(
    event: E,
    listener: ServerTransactionEvents[E],
  ): void {
    this.#listeners[event].push(listener);
  }

  protected emit<E extends keyof ServerTransactionEvents>(
    event: E,
    ...args: Parameters<ServerTransactionEvents[E]>
  ): void {
    for (const listener of this.#listeners[event]) {
      invokeListener(this.env.logger, event, () => {
        (listener as (...a: Parameters<ServerTransactionEvents[E]>) => void)(...args);
      });
    }
  }

  /** Record and send a response from the TU. */
  protected sendFromTu(response: SipResponse): void {
    this.lastResponse = response;
    if (response.status >= 200) this.#final = response;
    this.transmit(response);
  }

  /** Hand a response to the transport; a failure is reported per §17.2.4. */
  protected transmit(response: SipResponse): void {
    guardedSend(() => this.env.transport.sendResponse(response, this.ctx.connectionId)).catch(
      (err: unknown) => this.#onTransportError(toTransportError(err)),
    );
  }

  protected ignoreResponse(response: SipResponse): void {
    this.env.logger.debug(
      { status: response.status, state: this.state, method: this.method },
      'sip server transaction ignored a response after its final response',
    );
  }

  /** Stop timers and enter Terminated without any callback (layer shutdown). */
  dispose(): void {
    this.#disposed = true;
    this.#terminated = true;
    this.onTerminate();
  }

  #onTransportError(error: HoldgateError): void {
    // Reported even after a normal termination (Timer J = 0 on TCP), never after a shutdown.
    if (this.#transportErrorReported || this.#disposed) return;
    this.#transportErrorReported = true;
    this.emit('transportError', error);
    this.terminate();
  }

  protected terminate(): void {
    if (this.#terminated) return;
    this.#terminated = true;
    this.onTerminate();
    this.env.release(this.key);
    this.emit('terminated');
  }

  /** Subclass hook: clear timers and set the state to Terminated. */
  protected abstract onTerminate(): void;
}
