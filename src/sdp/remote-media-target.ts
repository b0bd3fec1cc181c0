import { HoldgateError } from '../errors/registry.js';
import { mediaDirection, type MediaDirection } from './media-direction.js';
import type { Sdp } from './parse-sdp.js';

/** One payload type offered on an m-line. */
export interface PayloadTypeInfo {
  pt: number;
  /** Encoding name as written (`PCMU`, `telephone-event`, …); static types filled from RFC 3551. */
  encoding: string;
  clockRate: number;
  channels: number;
}

/** Where to send a stream's RTP/RTCP, and what it carries (one m-line of a peer's SDP). */
export interface RemoteMediaTarget {
  type: string;
  address: string;
  rtpPort: number;
  /** RTCP port: `a=rtcp` (RFC 3605), else the RTP port with rtcp-mux, else RTP port + 1. */
  rtcpPort: number;
  /** Address from `a=rtcp` when it names one, else the connection address. */
  rtcpAddress: string;
  rtcpMux: boolean;
  /** In m-line format order; the first is the preferred codec. */
  payloadTypes: PayloadTypeInfo[];
  /** First `telephone-event` payload type (RFC 4733 §7.1.1), if offered. */
  telephoneEventPt: number | undefined;
  telephoneEventClockRate: number | undefined;
  /** `a=ptime` in ms, if given. */
  ptime: number | undefined;
  direction: MediaDirection;
}

/** Static payload types of RFC 3551 §6 (table 4) that SIP peers use without an rtpmap. */
const STATIC_PAYLOAD_TYPES: ReadonlyMap<number, readonly [string, number]> = new Map([
  [0, ['PCMU', 8000]],
  [3, ['GSM', 8000]],
  [4, ['G723', 8000]],
  [8, ['PCMA', 8000]],
  [9, ['G722', 8000]],
  [13, ['CN', 8000]],
  [18, ['G729', 8000]],
]);

/**
 * The transport target and codecs of m-line `index` of a peer's SDP.
 * @throws HoldgateError `HG_ERR_SDP_INVALID` when the m-line does not exist
 */
export function remoteMediaTarget(sdp: Sdp, index: number): RemoteMediaTarget {
  const media = sdp.media[index];
  if (media === undefined) throw new HoldgateError('HG_ERR_SDP_INVALID', `no m-line ${index}`);
  const address = (media.connection ?? sdp.connection)?.ip ?? '';
  const rtcpMux = media.rtcpMux !== undefined;
  const rtcpPort = media.rtcp?.port ?? (rtcpMux ? media.port : media.port + 1);
  const payloadTypes: PayloadTypeInfo[] = [];
  for (const token of (media.payloads ?? '').split(/\s+/)) {
    if (!/^\d+$/.test(token)) continue;
    const pt = Number(token);
    const map = media.rtp.find((r) => r.payload === pt);
    const known = STATIC_PAYLOAD_TYPES.get(pt);
    if (map !== undefined) {
      payloadTypes.push({
        pt,
        encoding: map.codec,
        clockRate: map.rate ?? known?.[1] ?? 8000,
        channels: map.encoding ?? 1,
      });
    } else if (known !== undefined) {
      payloadTypes.push({ pt, encoding: known[0], clockRate: known[1], channels: 1 });
    }
    // FIXME(rfc4566 §6): a dynamic payload type without rtpmap is unusable and skipped.
  }
  const te = payloadTypes.find((p) => p.encoding.toLowerCase() === 'telephone-event');
  return {
    type: media.type,
    address,
    rtpPort: media.port,
    rtcpPort,
    rtcpAddress: media.rtcp?.address ?? address,
    rtcpMux,
    payloadTypes,
    telephoneEventPt: te?.pt,
    telephoneEventClockRate: te?.clockRate,
    ptime: media.ptime,
    direction: mediaDirection(sdp, media),
  };
}
