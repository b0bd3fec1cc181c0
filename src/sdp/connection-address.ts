import { isIPv6 } from 'node:net';

/**
 * True for the unspecified address used as the RFC 2543 hold form: `c=IN IP4 0.0.0.0`, and its
 * IPv6 counterpart `c=IN IP6 ::` (RFC 3264 §8.4 keeps it as a legacy signal to accept).
 */
export function isHoldAddress(address: string): boolean {
  if (address === '0.0.0.0') return true;
  return isIPv6(address) && /^[0:]+$/.test(address);
}

/** The SDP address type (`IP4`/`IP6`, RFC 4566 §5.7) of an IP literal, as sdp-transform's number. */
export function ipVersionOf(address: string): 4 | 6 {
  return isIPv6(address) ? 6 : 4;
}
