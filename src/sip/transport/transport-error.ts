import { HoldgateError } from '../../errors/registry.js';
import type { Endpoint } from './types.js';

/** A HoldgateError `HG_ERR_SIP_TRANSPORT` naming the peer, wrapping the socket error if any. */
export function transportError(detail: string, to?: Endpoint, cause?: unknown): HoldgateError {
  const details: Record<string, unknown> = {};
  if (to) {
    details.protocol = to.protocol;
    details.address = to.address;
    details.port = to.port;
  }
  if (cause instanceof Error && 'code' in cause && typeof cause.code === 'string') {
    details.socketError = cause.code;
  }
  return new HoldgateError('HG_ERR_SIP_TRANSPORT', detail, details, cause);
}
