import type { Logger } from '../../shared/logger.js';

/**
 * Call a listener of the layer above and swallow what it throws: a throwing transaction user must
 * never unwind a state machine half way through a transition.
 */
export function invokeListener(logger: Logger, listener: string, fn: () => void): void {
  try {
    fn();
  } catch (err) {
    logger.error({ err, listener }, 'sip transaction listener threw');
  }
}
