/**
 * G.711 µ-law round trip (ITU-T G.711 §3, the algorithm of the reference `g711.c`
 * `linear2ulaw` / `ulaw2linear`): what a PCM16 signal sounds like after one µ-law hop.
 * Kept local to `detect/` because the detectors may not import `media/`; pure functions.
 */

const BIAS = 0x84;
const SEG_UEND = [0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff, 0x1fff] as const;

/** Encodes one linear PCM16 sample to a µ-law code (g711.c `linear2ulaw`, on 14 bits). */
export function mulawEncode(sample: number): number {
  let pcm = sample >> 2;
  let mask = 0xff;
  if (pcm < 0) {
    pcm = -pcm;
    mask = 0x7f;
  }
  if (pcm > 8159) pcm = 8159;
  pcm += BIAS >> 2;
  let seg = 0;
  while (seg < 8 && pcm > SEG_UEND[seg]!) seg++;
  if (seg >= 8) return 0x7f ^ mask;
  return ((seg << 4) | ((pcm >> (seg + 1)) & 0x0f)) ^ mask;
}

/** Decodes one µ-law code to linear PCM16 (g711.c `ulaw2linear`). */
export function mulawDecode(code: number): number {
  const u = ~code & 0xff;
  let t = ((u & 0x0f) << 3) + BIAS;
  t <<= (u & 0x70) >> 4;
  return u & 0x80 ? BIAS - t : t - BIAS;
}

/** Returns `pcm` after a µ-law encode and decode (a new array unless `inPlace`). */
export function mulawRoundTrip(pcm: Int16Array, inPlace = false): Int16Array {
  const out = inPlace ? pcm : new Int16Array(pcm.length);
  for (let i = 0; i < pcm.length; i++) out[i] = mulawDecode(mulawEncode(pcm[i]!));
  return out;
}
