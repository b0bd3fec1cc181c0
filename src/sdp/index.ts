/** SDP parsing, direction/hold facts and media anchoring (RFC 4566, RFC 3264). */
export { parseSdp, type Sdp, type SdpMedia } from './parse-sdp.js';
export { mediaDirection, type MediaDirection } from './media-direction.js';
export { isHoldAddress, ipVersionOf } from './connection-address.js';
export { holdState, type HoldSignal, type HoldState } from './hold-state.js';
export {
  anchorSdp,
  relayedMediaIndexes,
  type AnchorState,
  type AnchoredSdp,
  type SdpAnchor,
} from './anchor-sdp.js';
export {
  remoteMediaTarget,
  type PayloadTypeInfo,
  type RemoteMediaTarget,
} from './remote-media-target.js';
export {
  chooseEndpointCodec,
  endpointAnswer,
  endpointOffer,
  restrictToCodec,
  type EndpointAnswerOptions,
  type EndpointCodec,
} from './endpoint-answer.js';
export {
  recordPreference,
  withRecordIndication,
  type RecordIndication,
  type RecordPreference,
} from './record-attributes.js';
