/** SIP transaction layer (RFC 3261 §17, §9; RFC 6026). */
export { TransactionLayer, type TransactionLayerStats } from './transaction-layer.js';
export { createBranch, hasMagicCookie, MAGIC_COOKIE } from './branch.js';
export { DEFAULT_TIMER_VALUES, TIMER_D_UNRELIABLE_MS } from './timer-values.js';
export { AUTO_TRYING_DELAY_MS } from './invite-server-transaction.js';
export { buildCancel } from './build-cancel.js';
export { buildNonSuccessAck } from './build-ack.js';
export type {
  ClientTransaction,
  ClientTransactionHandlers,
  ClientTransactionState,
  InviteClientState,
  InviteServerState,
  NonInviteClientState,
  NonInviteServerState,
  ServerTransaction,
  ServerTransactionEvents,
  ServerTransactionState,
  TransactionLayerOptions,
  TransactionTimerValues,
  TransactionTransport,
  TransactionUser,
} from './types.js';
