import { execFileSync } from 'node:child_process';
import { ulawEncode } from '../../src/media/g711/index.js';

/**
 * 8 kHz mono µ-law bytes (what a PBX sends as PCMU) of what ffmpeg makes of `input`: its input
 * options and files, e.g. `['-ss', '40', '-t', '7', '-i', file]`, or several inputs with a
 * `-filter_complex` that mixes them.
 */
export function mulaw(input: readonly string[]): Buffer {
  return execFileSync(
    'ffmpeg',
    ['-v', 'error', ...input, '-f', 'mulaw', '-ar', '8000', '-ac', '1', '-'],
    { maxBuffer: 64 << 20 },
  );
}

/**
 * A caller's voice stand-in: a continuous sine (amplitude 6000) whose frequency may change from
 * one 20 ms frame to the next, written as 160 µ-law samples after the 12-byte header.
 */
export class CallerTone {
  #phase = 0;

  fill(packet: Buffer, frequency: number): void {
    for (let i = 0; i < 160; i++) {
      packet[12 + i] = ulawEncode(Math.round(6000 * Math.sin(this.#phase)));
      this.#phase += (2 * Math.PI * frequency) / 8000;
    }
  }
}
