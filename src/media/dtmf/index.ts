/** DTMF: RFC 4733 telephone-events and in-band tone detection. */
export { DTMF_DIGITS, dtmfEventCode, type DtmfDigit, type DtmfEvent } from './dtmf-digit.js';
export {
  TELEPHONE_EVENT_PAYLOAD_LENGTH,
  TelephoneEventReceiver,
  encodeTelephoneEvent,
  writeTelephoneEventPacket,
  type TelephoneEventFields,
  type TelephoneEventReceiverOptions,
} from './rfc4733.js';
export {
  dtmfFrequencies,
  INBAND_FRAME_SAMPLES,
  InbandDtmfDetector,
  type InbandDtmfOptions,
} from './inband.js';
