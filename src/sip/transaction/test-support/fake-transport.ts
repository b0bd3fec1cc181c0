import type { SipRequest, SipResponse } from '../../message/types.js';
import type { Endpoint, TransactionTransport } from '../types.js';

export type SentRecord =
  | { kind: 'request'; message: SipRequest; to: Endpoint; connectionId: string | undefined }
  | { kind: 'response'; message: SipResponse; connectionId: string | undefined };

/**
 * An in-process transport for transaction tests: records what is sent (a copy, as it was at send
 * time), can fail sends, and calls `onSend` so a test network can carry messages to a peer.
 */
export class FakeTransport implements TransactionTransport {
  readonly sent: SentRecord[] = [];
  /** When set, every send rejects with this error (after being recorded as attempted). */
  failWith: Error | undefined;
  /** When set, the next send throws synchronously instead of returning a promise. */
  throwSyncOnce: Error | undefined;
  onSend: ((record: SentRecord) => void) | undefined;

  constructor(
    readonly host = '127.0.0.1',
    readonly port = 5060,
  ) {}

  send(message: SipRequest, to: Endpoint, connectionId?: string): Promise<void> {
    if (this.throwSyncOnce) {
      const err = this.throwSyncOnce;
      this.throwSyncOnce = undefined;
      throw err;
    }
    return this.#record({ kind: 'request', message: message.clone(), to, connectionId });
  }

  sendResponse(response: SipResponse, connectionId: string | undefined): Promise<void> {
    return this.#record({ kind: 'response', message: response.clone(), connectionId });
  }

  isReliable(protocol: Endpoint['protocol']): boolean {
    return protocol !== 'udp';
  }

  sentBy(_protocol: Endpoint['protocol'], family: 4 | 6): { host: string; port: number } {
    return { host: family === 6 ? '::1' : this.host, port: this.port };
  }

  /** Sent requests, optionally of one method. */
  requests(method?: string): SipRequest[] {
    const out: SipRequest[] = [];
    for (const r of this.sent) {
      if (r.kind === 'request' && (method === undefined || r.message.method === method)) {
        out.push(r.message);
      }
    }
    return out;
  }

  /** Sent responses, optionally of one status. */
  responses(status?: number): SipResponse[] {
    const out: SipResponse[] = [];
    for (const r of this.sent) {
      if (r.kind === 'response' && (status === undefined || r.message.status === status)) {
        out.push(r.message);
      }
    }
    return out;
  }

  clear(): void {
    this.sent.length = 0;
  }

  #record(record: SentRecord): Promise<void> {
    this.sent.push(record);
    if (this.failWith) return Promise.reject(this.failWith);
    this.onSend?.(record);
    return Promise.resolve();
  }
}
