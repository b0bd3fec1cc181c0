/**
 * Where a response goes, from its top Via: RFC 3261 §18.2.2 and RFC 3581 §4.
 */
import { parseVia, type SipResponse, type Via } from '../message/index.js';
import { addressFamily, normalizeAddress } from './endpoint-address.js';
import { transportError } from './transport-error.js';
import type { Endpoint, TransportProtocol } from './types.js';

const DEFAULT_PORT: Readonly<Record<TransportProtocol, number>> = {
  udp: 5060,
  tcp: 5060,
  tls: 5061,
};

/**
 * Reliable transports: `received` (else the sent-by host) and the sent-by port (else the default),
 * used when the request's connection is gone. Unreliable: `received` (else sent-by host) and the
 * `rport` value (else sent-by port, else 5060).
 * Throws HoldgateError HG_ERR_SIP_TRANSPORT when the Via is unusable.
 *
 * FIXME(rfc3261 §18.2.2): `maddr` (multicast) is ignored.
 * FIXME(rfc3263 §5): a sent-by host name without `received` is not resolved.
 */
export function responseDestination(response: SipResponse): Endpoint {
  const top = response.getAll('via')[0];
  if (top === undefined) throw transportError('response has no Via');
  let via: Via;
  try {
    via = parseVia(top);
  } catch (err) {
    throw transportError('response top Via is unparsable', undefined, err);
  }
  const protocol = via.transport.toLowerCase();
  if (protocol !== 'udp' && protocol !== 'tcp' && protocol !== 'tls') {
    throw transportError(`unsupported Via transport ${via.transport}`);
  }
  const received = via.params.get('received');
  const address = normalizeAddress(
    received !== undefined && received !== null && received !== '' ? received : via.host,
  );
  let port = via.port ?? DEFAULT_PORT[protocol];
  if (protocol === 'udp') {
    const rport = via.params.get('rport');
    if (rport !== undefined && rport !== null && /^\d{1,5}$/.test(rport)) port = Number(rport);
  }
  const to: Endpoint = { protocol, address, port };
  if (addressFamily(address) === 0)
    throw transportError('response Via host is not an IP literal', to);
  if (port < 1 || port > 65535) throw transportError('response Via port is out of range', to);
  return to;
}
