import { isIP } from 'node:net';
import type { SipUri } from '../message/index.js';
import type { Endpoint, TransportProtocol } from '../transport/index.js';

/**
 * Where to send a request addressed to `uri`: RFC 3263 §4 without DNS. holdgate talks to trunks
 * and PBXs by IP address, so a host must be an IP literal; the transport comes from the URI's
 * `transport` parameter (sips → TLS), else `fallback`; the port defaults to 5060 (5061 for TLS).
 * FIXME(rfc3263 §4.1): hostnames (NAPTR/SRV/A lookups) are not resolved; returns undefined.
 */
export function nextHop(uri: SipUri, fallback: TransportProtocol): Endpoint | undefined {
  const host = uri.host.startsWith('[') ? uri.host.slice(1, -1) : uri.host;
  if (isIP(host) === 0) return undefined;
  const param = uri.params.get('maddr');
  const address = param && isIP(param) !== 0 ? param : host;
  const transportParam = uri.params.get('transport')?.toLowerCase();
  let protocol: TransportProtocol = fallback;
  if (uri.scheme === 'sips' || transportParam === 'tls') protocol = 'tls';
  else if (transportParam === 'tcp') protocol = 'tcp';
  else if (transportParam === 'udp') protocol = 'udp';
  const port = uri.port ?? (protocol === 'tls' ? 5061 : 5060);
  return { protocol, address, port };
}
