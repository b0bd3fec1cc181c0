import { ulawDecode, ulawEncode } from '../../media/g711/index.js';

/**
 * What a PCM16 signal sounds like after one G.711 µ-law hop (ITU-T G.711), using the media
 * plane's codec tables so detectors hear exactly what the taps decode.
 * Returns a new array unless `inPlace`.
 */
export function mulawRoundTrip(pcm: Int16Array, inPlace = false): Int16Array {
  const out = inPlace ? pcm : new Int16Array(pcm.length);
  for (let i = 0; i < pcm.length; i++) out[i] = ulawDecode(ulawEncode(pcm[i]!));
  return out;
}
