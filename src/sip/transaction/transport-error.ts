import { HoldgateError, isHoldgateError } from '../../errors/registry.js';

/** Normalize a send failure to `HG_ERR_SIP_TRANSPORT` (RFC 3261 §17.1.4, §17.2.4). */
export function toTransportError(err: unknown): HoldgateError {
  if (isHoldgateError(err) && err.code === 'HG_ERR_SIP_TRANSPORT') return err;
  const detail = err instanceof Error ? err.message : String(err);
  return new HoldgateError('HG_ERR_SIP_TRANSPORT', detail, undefined, err);
}

/** Run a transport send so that a synchronous throw becomes a rejection too. */
export function guardedSend(send: () => Promise<void>): Promise<void> {
  try {
    return send();
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
}
