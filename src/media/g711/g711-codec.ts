import type { G711Law } from './g711-law.js';
import { ALAW_TO_PCM16, alawEncode } from './alaw.js';
import { ULAW_TO_PCM16, ulawEncode } from './mulaw.js';

/**
 * Decodes `len` G.711 bytes starting at `payload[offset]` into `out[outOffset…]` by table lookup.
 * Allocation-free; the hot path of the taps. Decodes at most the room left in `out`.
 * @returns the number of samples written
 */
export function decodeInto(
  payload: Uint8Array,
  offset: number,
  len: number,
  out: Int16Array,
  law: G711Law,
  outOffset = 0,
): number {
  const table = law === 'ulaw' ? ULAW_TO_PCM16 : ALAW_TO_PCM16;
  const n = Math.min(len, out.length - outOffset, payload.length - offset);
  for (let i = 0; i < n; i++) out[outOffset + i] = table[payload[offset + i]!]!;
  return n > 0 ? n : 0;
}

/**
 * Encodes `len` PCM16 samples from `pcm[offset…]` into G.711 bytes at `out[outOffset…]`.
 * Allocation-free. Encodes at most the room left in `out`.
 * @returns the number of bytes written
 */
export function encodeInto(
  pcm: Int16Array,
  offset: number,
  len: number,
  out: Uint8Array,
  law: G711Law,
  outOffset = 0,
): number {
  const n = Math.min(len, out.length - outOffset, pcm.length - offset);
  if (law === 'ulaw') {
    for (let i = 0; i < n; i++) out[outOffset + i] = ulawEncode(pcm[offset + i]!);
  } else {
    for (let i = 0; i < n; i++) out[outOffset + i] = alawEncode(pcm[offset + i]!);
  }
  return n > 0 ? n : 0;
}
