/**
 * Server-side Via processing of RFC 3261 §18.2.1 and RFC 3581 §4: record where a request really
 * came from in the top Via, so that responses find their way back through NATs.
 */
import { formatParams, parseVia, type SipRequest, type Via } from '../message/index.js';
import { normalizeAddress } from './endpoint-address.js';
import type { Endpoint } from './types.js';

/**
 * Adds `received=<source ip>` to the top Via when its sent-by host differs from the source address
 * (always when `rport` is present, RFC 3581 §4), and fills an empty `rport` with the source port.
 * Only the top Via value is rewritten; every other Via keeps its bytes.
 * Returns false when the top Via is missing or unparsable (the request cannot be answered).
 */
export function stampReceived(request: SipRequest, source: Endpoint): boolean {
  const top = request.getAll('via')[0];
  if (top === undefined) return false;
  let via: Via;
  try {
    via = parseVia(top);
  } catch {
    return false;
  }
  const sourceAddress = normalizeAddress(source.address);
  const rport = via.params.get('rport');
  const hasRport = rport !== undefined;
  const fillRport = rport === null || rport === '';
  const wantReceived = hasRport || normalizeAddress(via.host) !== sourceAddress;
  const receivedOk = !wantReceived || via.params.get('received') === sourceAddress;
  if (receivedOk && !fillRport) return true;

  const params = new Map(via.params);
  if (!receivedOk) params.set('received', sourceAddress);
  if (fillRport) params.set('rport', String(source.port));
  const semi = top.indexOf(';');
  const sentProtocolAndBy = (semi === -1 ? top : top.slice(0, semi)).trimEnd();
  request.shift('via');
  request.prepend('via', sentProtocolAndBy + formatParams(params));
  return true;
}
