/**
 * A-law companding (ITU-T G.711 §2, the algorithm of the reference `g711.c`; even bits inverted
 * by the 0x55 mask). Decode: a 256-entry table. Encode: an 8192-entry table indexed by the 13-bit
 * linear value the law actually uses (`sample >> 3`).
 */

const SEG_END = [0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff] as const;

/** A-law code → linear PCM16 (no code decodes to 0: the smallest magnitudes are ±8). */
export const ALAW_TO_PCM16: Int16Array = buildDecodeTable();

const ENCODE_TABLE: Uint8Array = buildEncodeTable();

/** Decodes one A-law code. */
export function alawDecode(code: number): number {
  return ALAW_TO_PCM16[code & 0xff]!;
}

/** Encodes one linear PCM16 sample to A-law (table lookup on its top 13 bits). */
export function alawEncode(sample: number): number {
  return ENCODE_TABLE[(sample >> 3) & 0x1fff]!;
}

/** The reference algorithm (g711.c `linear2alaw`), used to build the table and in tests. */
export function alawEncodeReference(sample: number): number {
  let pcm = sample >> 3;
  let mask: number;
  if (pcm >= 0) {
    mask = 0xd5;
  } else {
    mask = 0x55;
    pcm = -pcm - 1;
  }
  let seg = 0;
  while (seg < 8 && pcm > SEG_END[seg]!) seg++;
  if (seg >= 8) return 0x7f ^ mask;
  const mantissa = seg < 2 ? (pcm >> 1) & 0x0f : (pcm >> seg) & 0x0f;
  return ((seg << 4) | mantissa) ^ mask;
}

function buildDecodeTable(): Int16Array {
  const t = new Int16Array(256);
  for (let code = 0; code < 256; code++) {
    const a = code ^ 0x55;
    let magnitude = (a & 0x0f) << 4;
    const seg = (a & 0x70) >> 4;
    if (seg === 0) magnitude += 8;
    else if (seg === 1) magnitude += 0x108;
    else magnitude = (magnitude + 0x108) << (seg - 1);
    t[code] = a & 0x80 ? magnitude : -magnitude;
  }
  return t;
}

function buildEncodeTable(): Uint8Array {
  const t = new Uint8Array(0x2000);
  for (let i = 0; i < 0x2000; i++) {
    const v13 = i & 0x1000 ? i - 0x2000 : i;
    t[i] = alawEncodeReference(v13 << 3);
  }
  return t;
}
