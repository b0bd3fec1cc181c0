import type { DtmfDigit } from '../media/dtmf/index.js';
import type { DtmfDetectedEvent, MediaController } from '../media/relay/index.js';

export type DigitListener = (digit: DtmfDigit, source: 'rfc4733' | 'inband', atMs: number) => void;

/**
 * Routes the media plane's DTMF events (RFC 4733 and in-band, from every media worker) to the
 * call whose session heard them: one controller listener and a map, not one listener per call.
 */
export class DtmfRouter {
  readonly #listeners = new Map<string, DigitListener>();

  constructor(controller: MediaController) {
    controller.on('dtmf', (event: DtmfDetectedEvent) => {
      if (event.leg !== 'caller') return;
      this.#listeners.get(event.sessionId)?.(event.digit, event.source, event.atMs);
    });
  }

  /** Digits of `sessionId`'s caller leg go to `listener` (replacing any earlier one). */
  subscribe(sessionId: string, listener: DigitListener): void {
    this.#listeners.set(sessionId, listener);
  }

  unsubscribe(sessionId: string): void {
    this.#listeners.delete(sessionId);
  }
}
