/**
 * Which final response the caller gets when the PBX leg fails. A B2BUA must not pass on what
 * only makes sense toward the PBX: redirects (3xx) would expose PBX contacts and authentication
 * challenges (401/407) are addressed to holdgate, not the caller. RFC 3261 §16.7 step 6 and
 * RFC 7231-style mapping in the spirit of RFC 3398 (status passthrough for everything else).
 */
export function callerFailureFor(
  pbxStatus: number,
  pbxReason: string,
): { status: number; reason: string } {
  if (pbxStatus >= 300 && pbxStatus < 400)
    return { status: 480, reason: 'Temporarily Unavailable' };
  if (pbxStatus === 401 || pbxStatus === 407) return { status: 503, reason: 'Service Unavailable' };
  if (pbxStatus < 300 || pbxStatus > 699) return { status: 500, reason: 'Server Internal Error' };
  return { status: pbxStatus, reason: pbxReason };
}
