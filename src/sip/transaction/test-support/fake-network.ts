import { parseMessage } from '../../message/index.js';
import type { SipMessage } from '../../message/types.js';
import type { TransactionLayer } from '../transaction-layer.js';
import type { Endpoint } from '../types.js';
import type { FakeTransport } from './fake-transport.js';

/** How one direction of a link treats the n-th message it carries (0-based). */
export interface LinkPolicy {
  drop?: (message: SipMessage, n: number) => boolean;
  duplicate?: (message: SipMessage, n: number) => boolean;
  /** Delivery delay in ms; default 5. Different delays reorder messages. */
  delay?: (message: SipMessage, n: number) => number;
}

export interface Node {
  readonly transport: FakeTransport;
  readonly layer: TransactionLayer;
  readonly endpoint: Endpoint;
}

/**
 * Carry everything `from` sends to `to` as UDP would: serialized, re-parsed, after a delay,
 * possibly dropped, duplicated or overtaken. Delivery uses timers, so fake timers drive it.
 */
export function link(from: Node, to: Node, policy: LinkPolicy = {}): void {
  let n = 0;
  from.transport.onSend = (record) => {
    const index = n++;
    const message = record.message;
    if (policy.drop?.(message, index) === true) return;
    const copies = policy.duplicate?.(message, index) === true ? 2 : 1;
    const wire = message.serialize();
    const delay = policy.delay?.(message, index) ?? 5;
    for (let i = 0; i < copies; i++) {
      setTimeout(() => {
        const parsed = parseMessage(Buffer.from(wire));
        if (!parsed.ok) throw parsed.error;
        to.layer.receive(parsed.message, {
          source: from.endpoint,
          local: to.endpoint,
          connectionId: undefined,
        });
      }, delay + i);
    }
  };
}
