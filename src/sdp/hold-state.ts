import { isHoldAddress } from './connection-address.js';
import { mediaDirection, type MediaDirection } from './media-direction.js';
import type { Sdp, SdpMedia } from './parse-sdp.js';

/** One way an SDP can put the audio stream on hold (see docs/architecture.md, "Signals"). */
export type HoldSignal =
  'sendonly' | 'recvonly' | 'inactive' | 'connection-zero' | 'port-zero' | 'no-audio';

/** The facts about the audio stream of one SDP that the gate decides hold on. */
export interface HoldState {
  /** Index of the audio m-line described, or -1 when the SDP has none. */
  index: number;
  /** Effective direction (RFC 3264 §5.1, media level over session level). */
  direction: MediaDirection;
  /** The effective `c=` is `0.0.0.0` or `IN IP6 ::` (RFC 2543 hold, RFC 3264 §8.4). */
  connectionHold: boolean;
  /** The stream is rejected or removed (port 0, RFC 3264 §6, §8.2). */
  portZero: boolean;
  /** Every hold signal present; empty for an active sendrecv stream. */
  signals: HoldSignal[];
  /** `signals.length > 0`. */
  held: boolean;
  /** Value of `a=recordpref:` (RFC 7866 §10), media level over session level, if present. */
  recordPref: string | undefined;
}

/**
 * Describes the audio stream of an SDP for the gate, from the parsed structure only (never a
 * substring search of the text). The stream is the first audio m-line with a non-zero port, or,
 * if all are rejected, the first audio m-line.
 */
export function holdState(sdp: Sdp): HoldState {
  let index = sdp.media.findIndex((m) => m.type === 'audio' && m.port !== 0);
  if (index < 0) index = sdp.media.findIndex((m) => m.type === 'audio');
  const media = sdp.media[index];
  if (media === undefined) {
    return {
      index: -1,
      direction: 'inactive',
      connectionHold: false,
      portZero: false,
      signals: ['no-audio'],
      held: true,
      recordPref: attributeValue(sdp, undefined, 'recordpref'),
    };
  }
  const direction = mediaDirection(sdp, media);
  const connection = media.connection ?? sdp.connection;
  const connectionHold = connection !== undefined && isHoldAddress(connection.ip);
  const portZero = media.port === 0;
  const signals: HoldSignal[] = [];
  if (direction !== 'sendrecv') signals.push(direction);
  if (connectionHold) signals.push('connection-zero');
  if (portZero) signals.push('port-zero');
  return {
    index,
    direction,
    connectionHold,
    portZero,
    signals,
    held: signals.length > 0,
    recordPref: attributeValue(sdp, media, 'recordpref'),
  };
}

/** Value of an attribute sdp-transform does not know (kept in `invalid`), media over session. */
function attributeValue(sdp: Sdp, media: SdpMedia | undefined, name: string): string | undefined {
  const prefix = `${name}:`;
  const find = (list: { value: string }[] | undefined): string | undefined =>
    list
      ?.find((a) => a.value.startsWith(prefix))
      ?.value.slice(prefix.length)
      .trim();
  return find(media?.invalid) ?? find(sdp.invalid);
}
