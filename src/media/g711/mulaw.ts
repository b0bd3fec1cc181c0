/**
 * µ-law companding (ITU-T G.711 §3, the algorithm of the reference `g711.c`).
 * Decode: a 256-entry table. Encode: a 16384-entry table indexed by the 14-bit linear value the
 * law actually uses (`sample >> 2`), built once from the segment-search algorithm.
 */

const BIAS = 0x84;
const CLIP = 8159;
const SEG_END = [0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff, 0x1fff] as const;

/** µ-law code → linear PCM16. 0xFF and 0x7F both decode to 0. */
export const ULAW_TO_PCM16: Int16Array = buildDecodeTable();

const ENCODE_TABLE: Uint8Array = buildEncodeTable();

/** Decodes one µ-law code. */
export function ulawDecode(code: number): number {
  return ULAW_TO_PCM16[code & 0xff]!;
}

/** Encodes one linear PCM16 sample to µ-law (table lookup on its top 14 bits). */
export function ulawEncode(sample: number): number {
  return ENCODE_TABLE[(sample >> 2) & 0x3fff]!;
}

/** The reference algorithm (g711.c `linear2ulaw`), used to build the table and in tests. */
export function ulawEncodeReference(sample: number): number {
  let pcm = sample >> 2;
  let mask: number;
  if (pcm < 0) {
    pcm = -pcm;
    mask = 0x7f;
  } else {
    mask = 0xff;
  }
  if (pcm > CLIP) pcm = CLIP;
  pcm += BIAS >> 2;
  let seg = 0;
  while (seg < 8 && pcm > SEG_END[seg]!) seg++;
  if (seg >= 8) return 0x7f ^ mask;
  return ((seg << 4) | ((pcm >> (seg + 1)) & 0x0f)) ^ mask;
}

function buildDecodeTable(): Int16Array {
  const t = new Int16Array(256);
  for (let code = 0; code < 256; code++) {
    const u = ~code & 0xff;
    const exponent = (u >> 4) & 0x07;
    const mantissa = u & 0x0f;
    const magnitude = (((mantissa << 3) + BIAS) << exponent) - BIAS;
    t[code] = u & 0x80 ? -magnitude : magnitude;
  }
  return t;
}

function buildEncodeTable(): Uint8Array {
  const t = new Uint8Array(0x4000);
  for (let i = 0; i < 0x4000; i++) {
    // i is the 14-bit two's complement value; sign-extend and scale back to 16 bits.
    const v14 = i & 0x2000 ? i - 0x4000 : i;
    t[i] = ulawEncodeReference(v14 << 2);
  }
  return t;
}
