import { randomInt } from 'node:crypto';
import { write, type SharedAttributes } from 'sdp-transform';
import { ipVersionOf, isHoldAddress } from './connection-address.js';
import { parseSdp, type Sdp, type SdpMedia } from './parse-sdp.js';

/** Our side of the anchored media: where both parties must send RTP. */
export interface SdpAnchor {
  /** The relay's IPv4 or IPv6 address, advertised in `c=` and `o=`. */
  address: string;
  /** One RTP/RTCP port pair per relayed m-line, in m-line order (see {@link relayedMediaIndexes}). */
  ports: readonly { rtp: number; rtcp: number }[];
  /** `o=` username (default `holdgate`). */
  username?: string;
  /** `o=` sess-id for a new leg (default: random); later versions reuse the previous one. */
  sessionId?: string;
  /** `o=` sess-version of the first SDP of a leg (default 1). */
  sessionVersion?: number;
  /** Relay video m-lines too (default: refuse them with port 0). */
  allowVideo?: boolean;
}

/** What one leg remembers between SDPs so its `o=` line evolves per RFC 3264 §8. */
export interface AnchorState {
  readonly username: string;
  readonly sessionId: string;
  readonly sessionVersion: number;
  /** The SDP text last sent on this leg. */
  readonly text: string;
}

export interface AnchoredSdp {
  text: string;
  state: AnchorState;
}

/**
 * Indexes of the m-lines holdgate relays, in order: each needs one entry of `SdpAnchor.ports`.
 * An m-line is relayed when its port is not 0 and it is audio (or video when allowed).
 */
export function relayedMediaIndexes(sdp: Sdp, allowVideo = false): number[] {
  const out: number[] = [];
  sdp.media.forEach((m, i) => {
    if (isRelayed(m, allowVideo)) out.push(i);
  });
  return out;
}

/**
 * Rewrites a peer's SDP (offer or answer) so that the other party sends its media to holdgate:
 *
 * - `c=` at session and media level → our address with the right `IN IP4`/`IN IP6`; an
 *   unspecified-address hold (`0.0.0.0` / `::`, RFC 3264 §8.4) stays one, in our address family.
 * - relayed m-lines get our RTP port; `a=rtcp` (RFC 3605) is rewritten to our RTCP port and
 *   address, and added when our RTCP port is not RTP + 1; with `a=rtcp-mux` (RFC 5761 §5.1.1)
 *   RTCP uses the RTP port.
 * - m-lines we do not relay (non-audio unless allowed; port 0 already) are refused with port 0
 *   (RFC 3264 §6); m-lines are never removed or reordered (§8).
 * - `o=` is our own origin: sess-id stable per leg, sess-version + 1 whenever the SDP differs
 *   from the one last sent on the leg, unchanged when identical (RFC 3264 §8).
 * - codecs, fmtp, ptime/maxptime and direction attributes are kept as they are.
 * - ICE (RFC 8839) candidates/credentials and SDES/DTLS keying (RFC 4568, RFC 8842) are removed:
 *   holdgate terminates the transport.
 *
 * FIXME(rfc4568 §6): an `RTP/SAVP` offer keeps its profile but loses its keys; SRTP termination
 * is not implemented.
 * FIXME(rfc8843 §7): BUNDLE groups are dropped; each m-line gets its own port pair.
 */
export function anchorSdp(
  input: Sdp | string | Buffer,
  anchor: SdpAnchor,
  previous?: AnchorState,
): AnchoredSdp {
  const sdp: Sdp =
    typeof input === 'string' || Buffer.isBuffer(input) ? parseSdp(input) : structuredClone(input);
  const ipVer = ipVersionOf(anchor.address);
  const allowVideo = anchor.allowVideo ?? false;
  const rewriteConnection = (c: {
    version: number;
    ip: string;
  }): {
    version: number;
    ip: string;
  } => ({
    version: ipVer,
    ip: isHoldAddress(c.ip) ? (ipVer === 6 ? '::' : '0.0.0.0') : anchor.address,
  });

  if (sdp.connection) sdp.connection = rewriteConnection(sdp.connection);
  stripTransportSecurity(sdp);
  delete sdp.icelite;
  if (sdp.groups) {
    const groups = sdp.groups.filter((g) => g.type !== 'BUNDLE');
    if (groups.length > 0) sdp.groups = groups;
    else delete sdp.groups;
  }

  let next = 0;
  for (const m of sdp.media) {
    stripTransportSecurity(m);
    delete m.candidates;
    delete m.endOfCandidates;
    delete m.remoteCandidates;
    delete m.crypto;
    if (m.connection) m.connection = rewriteConnection(m.connection);
    if (!isRelayed(m, allowVideo)) {
      m.port = 0;
      delete m.rtcp;
      continue;
    }
    const ports = anchor.ports[next++];
    if (ports === undefined) {
      throw new RangeError(`anchorSdp: no port pair for relayed m-line ${next - 1}`);
    }
    m.port = ports.rtp;
    const rtcpPort = m.rtcpMux !== undefined ? ports.rtp : ports.rtcp;
    if (m.rtcp !== undefined || rtcpPort !== ports.rtp + 1) {
      m.rtcp = { port: rtcpPort, netType: 'IN', ipVer, address: anchor.address };
    }
  }

  const username = previous?.username ?? anchor.username ?? 'holdgate';
  const sessionId = previous?.sessionId ?? anchor.sessionId ?? String(randomInt(1, 2 ** 47));
  const render = (version: number): string => {
    sdp.origin = {
      username,
      sessionId,
      sessionVersion: version,
      netType: 'IN',
      ipVer,
      address: anchor.address,
    };
    return write(sdp);
  };

  if (previous !== undefined) {
    const same = render(previous.sessionVersion);
    if (same === previous.text) return { text: same, state: previous };
    const version = previous.sessionVersion + 1;
    const text = render(version);
    return { text, state: { username, sessionId, sessionVersion: version, text } };
  }
  const version = anchor.sessionVersion ?? 1;
  const text = render(version);
  return { text, state: { username, sessionId, sessionVersion: version, text } };
}

function isRelayed(m: SdpMedia, allowVideo: boolean): boolean {
  return m.port !== 0 && (m.type === 'audio' || (allowVideo && m.type === 'video'));
}

/** Removes ICE credentials and DTLS-SRTP keying present at either level. */
function stripTransportSecurity(a: SharedAttributes): void {
  delete a.iceUfrag;
  delete a.icePwd;
  delete a.iceOptions;
  delete a.fingerprint;
  delete a.setup;
  delete a.connectionType;
}
