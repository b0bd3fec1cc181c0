import type { SdpAnchor } from './anchor-sdp.js';

/** The relay address and ports the golden SDP fixtures are anchored to. */
const V4: SdpAnchor = {
  address: '203.0.113.5',
  ports: [{ rtp: 40000, rtcp: 40001 }],
  sessionId: '9000',
  sessionVersion: 1,
};
const V6: SdpAnchor = { ...V4, address: '2001:db8::1' };

/**
 * Golden anchoring cases: `test-fixtures/sdp/<input>.in.sdp` anchored with `anchor` must equal
 * `test-fixtures/sdp/<output>.out.sdp` byte for byte (CRLF line ends).
 */
export const GOLDEN_CASES: readonly { input: string; output: string; anchor: SdpAnchor }[] = [
  { input: 'asterisk-offer', output: 'asterisk-offer', anchor: V4 },
  { input: 'freeswitch-offer', output: 'freeswitch-offer', anchor: V4 },
  { input: 'carrier-offer', output: 'carrier-offer', anchor: V4 },
  { input: 'rtcp-mux-ice-offer', output: 'rtcp-mux-ice-offer', anchor: V4 },
  { input: 'ipv6-offer', output: 'ipv6-offer', anchor: V6 },
  { input: 'ipv6-offer', output: 'ipv6-offer.anchored-v4', anchor: V4 },
  { input: 'audio-video-offer', output: 'audio-video-offer', anchor: V4 },
  {
    input: 'audio-video-offer',
    output: 'audio-video-offer.allow-video',
    anchor: {
      ...V4,
      allowVideo: true,
      ports: [
        { rtp: 40000, rtcp: 40001 },
        { rtp: 40002, rtcp: 40003 },
      ],
    },
  },
  { input: 'hold-sendonly-media', output: 'hold-sendonly-media', anchor: V4 },
  { input: 'hold-recvonly-media', output: 'hold-recvonly-media', anchor: V4 },
  { input: 'hold-inactive-session', output: 'hold-inactive-session', anchor: V4 },
  {
    input: 'hold-sendonly-session-media-sendrecv',
    output: 'hold-sendonly-session-media-sendrecv',
    anchor: V4,
  },
  { input: 'hold-c-zero', output: 'hold-c-zero', anchor: V4 },
  { input: 'hold-c-zero-ipv6', output: 'hold-c-zero-ipv6', anchor: V6 },
  { input: 'hold-port-zero', output: 'hold-port-zero', anchor: { ...V4, ports: [] } },
];
