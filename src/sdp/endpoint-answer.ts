import { randomInt } from 'node:crypto';
import { write } from 'sdp-transform';
import { HoldgateError } from '../errors/registry.js';
import { ipVersionOf } from './connection-address.js';
import type { Sdp, SdpMedia } from './parse-sdp.js';
import { remoteMediaTarget } from './remote-media-target.js';

/** The G.711 codec holdgate terminates itself (prompts are converted to it, the tap decodes it). */
export interface EndpointCodec {
  readonly pt: number;
  readonly encoding: 'PCMU' | 'PCMA';
  /** RFC 4733 telephone-event payload type, when the offer carries one at 8 kHz. */
  readonly telephoneEventPt: number | undefined;
}

/**
 * Picks the codec holdgate answers with when it terminates the caller's media itself (consent
 * announcement, issue 6): the offer's first PCMU or PCMA (RFC 3264 §6.1: the answerer keeps the
 * offerer's payload type numbers and may pick any offered format), plus telephone-event at
 * 8000 Hz if offered (RFC 4733 §7.1.1).
 * @throws HoldgateError `HG_ERR_SDP_INVALID` (→ 488) when no G.711 format is offered
 */
export function chooseEndpointCodec(offer: Sdp, index: number): EndpointCodec {
  const target = remoteMediaTarget(offer, index);
  const protocol = offer.media[index]?.protocol ?? '';
  if (protocol !== 'RTP/AVP' && protocol !== 'RTP/AVPF') {
    // RFC 3264 §6: the answer keeps the offer's transport; holdgate terminates plain RTP only.
    throw new HoldgateError('HG_ERR_SDP_INVALID', `cannot answer a ${protocol} stream itself`);
  }
  const g711 = target.payloadTypes.find(
    (p) =>
      (p.encoding.toUpperCase() === 'PCMU' || p.encoding.toUpperCase() === 'PCMA') &&
      p.clockRate === 8000,
  );
  if (g711 === undefined) {
    throw new HoldgateError(
      'HG_ERR_SDP_INVALID',
      'the offer has no PCMU or PCMA to play prompts in',
    );
  }
  const te = target.payloadTypes.find(
    (p) => p.encoding.toLowerCase() === 'telephone-event' && p.clockRate === 8000,
  );
  return {
    pt: g711.pt,
    encoding: g711.encoding.toUpperCase() as 'PCMU' | 'PCMA',
    telephoneEventPt: te?.pt,
  };
}

export interface EndpointAnswerOptions {
  /** Where the caller sends RTP to (the relay's caller-facing port). */
  readonly address: string;
  readonly rtpPort: number;
  readonly rtcpPort: number;
  readonly codec: EndpointCodec;
  /** RFC 7866 §6.2 `a=record` toward a record-aware UA; absent: no attribute. */
  readonly record?: 'on' | 'off' | 'paused';
  /** `o=` sess-id; default random. */
  readonly sessionId?: string;
}

type EndpointMediaOptions = Omit<EndpointAnswerOptions, 'codec'>;
type RtpMap = { payload: number; codec: string; rate: number };

/**
 * The audio m-line holdgate terminates: its formats (telephone-event gets fmtp 0-16, RFC 4733
 * §7.1.1), ptime 20, `a=rtcp` only when RTCP is not on RTP + 1 (RFC 3605), and `a=record` toward a
 * record-aware UA (RFC 7866 §6.2).
 */
function endpointAudio(
  options: EndpointMediaOptions,
  protocol: string,
  formats: readonly RtpMap[],
  direction: 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive',
): SdpMedia {
  const ipVer = ipVersionOf(options.address);
  return {
    type: 'audio',
    port: options.rtpPort,
    protocol,
    payloads: formats.map((f) => f.payload).join(' '),
    rtp: [...formats],
    fmtp: formats
      .filter((f) => f.codec === 'telephone-event')
      .map((f) => ({ payload: f.payload, config: '0-16' })),
    ptime: 20,
    direction,
    ...(options.rtcpPort !== options.rtpPort + 1
      ? { rtcp: { port: options.rtcpPort, netType: 'IN', ipVer, address: options.address } }
      : {}),
    ...(options.record !== undefined ? { invalid: [{ value: `record:${options.record}` }] } : {}),
  };
}

/** An SDP of holdgate's own (`o=holdgate`, version 1, one `c=` at session level). */
function endpointSdp(options: EndpointMediaOptions, media: SdpMedia[]): string {
  const ipVer = ipVersionOf(options.address);
  return write({
    version: 0,
    origin: {
      username: 'holdgate',
      sessionId: options.sessionId ?? String(randomInt(1, 2 ** 47)),
      sessionVersion: 1,
      netType: 'IN',
      ipVer,
      address: options.address,
    },
    name: 'holdgate',
    connection: { version: ipVer, ip: options.address },
    timing: { start: 0, stop: 0 },
    media,
  });
}

/**
 * holdgate's own SDP answer to the caller's offer (RFC 3264 §6) while it terminates the media:
 * the answered audio m-line carries the chosen G.711 format and telephone-event; every other
 * m-line is refused with port 0 in its place (§6: the answer has as many m-lines as the offer).
 * Direction is sendrecv (an offer of sendonly/inactive gets recvonly/inactive, §6.1).
 */
export function endpointAnswer(offer: Sdp, index: number, options: EndpointAnswerOptions): string {
  const codec = options.codec;
  const media = offer.media.map((m, i): SdpMedia => {
    if (i !== index) {
      return {
        type: m.type,
        port: 0,
        protocol: m.protocol,
        payloads: m.payloads ?? '0',
        rtp: [],
        fmtp: [],
      };
    }
    const offered = remoteMediaTarget(offer, index).direction;
    const direction =
      offered === 'sendonly' ? 'recvonly' : offered === 'recvonly' ? 'sendonly' : offered;
    const formats: RtpMap[] = [{ payload: codec.pt, codec: codec.encoding, rate: 8000 }];
    if (codec.telephoneEventPt !== undefined)
      formats.push({ payload: codec.telephoneEventPt, codec: 'telephone-event', rate: 8000 });
    return endpointAudio(options, m.protocol, formats, direction);
  });
  return endpointSdp(options, media);
}

/**
 * The caller's offer narrowed to what holdgate answered (the chosen G.711 format and
 * telephone-event) before it is offered to the PBX, so the PBX cannot pick a codec the caller's
 * leg does not carry (RFC 3264 §8.3.2 would otherwise need a re-offer toward the caller).
 */
export function restrictToCodec(offer: Sdp, index: number, codec: EndpointCodec): Sdp {
  const sdp = structuredClone(offer);
  const m = sdp.media[index];
  if (m === undefined) throw new HoldgateError('HG_ERR_SDP_INVALID', `no m-line ${index}`);
  const keep = new Set([
    codec.pt,
    ...(codec.telephoneEventPt !== undefined ? [codec.telephoneEventPt] : []),
  ]);
  m.payloads = [...keep].join(' ');
  m.rtp = m.rtp.filter((r) => keep.has(r.payload));
  m.fmtp = m.fmtp.filter((f) => keep.has(f.payload));
  return sdp;
}

/** The formats holdgate offers when it must offer first: PCMU, PCMA and telephone-event. */
const OFFER_FORMATS: readonly RtpMap[] = [
  { payload: 0, codec: 'PCMU', rate: 8000 },
  { payload: 8, codec: 'PCMA', rate: 8000 },
  { payload: 101, codec: 'telephone-event', rate: 8000 },
];

/**
 * holdgate's own offer to a caller whose INVITE had none (RFC 3264 §5, RFC 3261 §13.2.1: the
 * offer goes in the 2xx, the answer comes in the ACK), while it terminates the caller's media.
 */
export function endpointOffer(options: EndpointMediaOptions): string {
  return endpointSdp(options, [endpointAudio(options, 'RTP/AVP', OFFER_FORMATS, 'sendrecv')]);
}
