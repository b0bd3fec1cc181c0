/**
 * IP literal helpers for transport endpoints: normalization of IPv4-mapped IPv6 addresses seen on
 * dual-stack sockets, bracket handling for SIP hosts (RFC 3261 §25.1 `IPv6reference`) and the
 * connection-reuse key.
 */
import { isIP } from 'node:net';
import type { Endpoint } from './types.js';

const MAPPED_PREFIX = '::ffff:';

/** `::ffff:192.0.2.1` → `192.0.2.1`; `[::1]` → `::1`; lower-cased IPv6; other input unchanged. */
export function normalizeAddress(address: string): string {
  let a = address;
  if (a.startsWith('[') && a.endsWith(']')) a = a.slice(1, -1);
  if (
    a.length > MAPPED_PREFIX.length &&
    a.slice(0, MAPPED_PREFIX.length).toLowerCase() === MAPPED_PREFIX
  ) {
    const v4 = a.slice(MAPPED_PREFIX.length);
    if (isIP(v4) === 4) return v4;
  }
  return a.includes(':') ? a.toLowerCase() : a;
}

/** 4, 6, or 0 when the text is not an IP literal (brackets allowed). */
export function addressFamily(address: string): 0 | 4 | 6 {
  const a = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const f = isIP(a);
  return f === 4 || f === 6 ? f : 0;
}

/** The host form for a Via sent-by or a URI: IPv6 literals in brackets. */
export function sipHost(address: string): string {
  return addressFamily(address) === 6 && !address.startsWith('[') ? `[${address}]` : address;
}

export function isWildcard(address: string): boolean {
  return address === '0.0.0.0' || address === '::';
}

/** Key for connection reuse: `ip:port` of the remote (RFC 3261 §18.1.1 / §18.2.2). */
export function endpointKey(e: Pick<Endpoint, 'address' | 'port'>): string {
  return `${normalizeAddress(e.address)}|${e.port}`;
}
