/** G.711 µ-law / A-law (ITU-T G.711) by lookup table. */
export * from './g711-law.js';
export { ULAW_TO_PCM16, ulawDecode, ulawEncode, ulawEncodeReference } from './mulaw.js';
export { ALAW_TO_PCM16, alawDecode, alawEncode, alawEncodeReference } from './alaw.js';
export { decodeInto, encodeInto } from './g711-codec.js';
