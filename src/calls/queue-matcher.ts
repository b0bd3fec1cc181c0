import type { QueueConfig } from '../config/schema.js';
import { parseNameAddr, parseUri, type SipRequest } from '../sip/message/index.js';

interface CompiledQueue {
  readonly queue: QueueConfig;
  readonly requestUser: RegExp | undefined;
  readonly toUser: RegExp | undefined;
  readonly header: { readonly name: string; readonly pattern: RegExp } | undefined;
}

/**
 * Picks the queue for a caller's INVITE: the first queue whose rules all match (Request-URI user,
 * To user, a header value). Patterns are anchored regular expressions, compiled once.
 */
export class QueueMatcher {
  readonly #queues: readonly CompiledQueue[];

  constructor(queues: readonly QueueConfig[]) {
    this.#queues = queues.map((queue) => ({
      queue,
      requestUser: anchored(queue.match.requestUser),
      toUser: anchored(queue.match.toUser),
      header: queue.match.header
        ? {
            name: queue.match.header.name,
            pattern: new RegExp(`^(?:${queue.match.header.pattern})$`),
          }
        : undefined,
    }));
  }

  /** Queue names in match order. */
  get names(): string[] {
    return this.#queues.map((q) => q.queue.name);
  }

  match(request: SipRequest): QueueConfig | undefined {
    const requestUser = userOf(() => parseUri(request.uri).user);
    const toUser = userOf(() => parseNameAddr(request.get('to') ?? '').uri.user);
    for (const q of this.#queues) {
      if (q.requestUser && !q.requestUser.test(requestUser)) continue;
      if (q.toUser && !q.toUser.test(toUser)) continue;
      if (q.header && !q.header.pattern.test(request.get(q.header.name) ?? '')) continue;
      return q.queue;
    }
    return undefined;
  }
}

function anchored(pattern: string | undefined): RegExp | undefined {
  return pattern === undefined ? undefined : new RegExp(`^(?:${pattern})$`);
}

function userOf(get: () => string | undefined): string {
  try {
    return get() ?? '';
  } catch {
    return '';
  }
}
