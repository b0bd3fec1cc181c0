import type { Logger } from '../../shared/logger.js';
import type { SipRequest } from '../message/types.js';
import type { Endpoint, TransactionTimerValues, TransactionTransport } from './types.js';

/** What the layer gives each transaction it creates. */
export interface TransactionEnv {
  readonly transport: TransactionTransport;
  readonly timers: TransactionTimerValues;
  readonly logger: Logger;
  /** The transaction reached Terminated: the layer forgets it. Called once per transaction. */
  release(key: string): void;
  /** Start the CANCEL client transaction of RFC 3261 §9.1 (same branch, same destination). */
  startCancel(cancel: SipRequest, to: Endpoint, connectionId: string | undefined): void;
}
