import type { Sdp, SdpMedia } from './parse-sdp.js';

/** The four direction attributes of RFC 3264 §5.1 / RFC 4566 §6. */
export type MediaDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

/**
 * The direction of one stream as its SDP's author declares it: the media-level attribute if any,
 * else the session-level attribute, else `sendrecv` (RFC 4566 §6: a media-level attribute
 * overrides the session-level one; RFC 3264 §5.1: sendrecv is the default).
 */
export function mediaDirection(session: Sdp, media: SdpMedia): MediaDirection {
  return media.direction ?? session.direction ?? 'sendrecv';
}
