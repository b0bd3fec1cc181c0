/** The two G.711 companding laws (ITU-T G.711): µ-law (PCMU, RTP PT 0) and A-law (PCMA, PT 8). */
export type G711Law = 'ulaw' | 'alaw';

/** Static RTP payload types for G.711 (RFC 3551 §6, table 4). */
export const PCMU_PAYLOAD_TYPE = 0;
export const PCMA_PAYLOAD_TYPE = 8;

/** The code for silence (linear 0): 0xFF in µ-law, 0xD5 in A-law. */
export function g711SilenceByte(law: G711Law): number {
  return law === 'ulaw' ? 0xff : 0xd5;
}

/**
 * The law of an SDP `a=rtpmap` encoding name (`PCMU`/`PCMA`, case-insensitive, RFC 4855), or
 * undefined for any other codec (relayed, but not decodable by holdgate).
 */
export function g711LawOfEncoding(encoding: string): G711Law | undefined {
  const e = encoding.toUpperCase();
  return e === 'PCMU' ? 'ulaw' : e === 'PCMA' ? 'alaw' : undefined;
}
