import type {} from '@fastify/swagger';
import type { FastifyRequest } from 'fastify';
import type { CallControl } from '../calls/call-control.js';
import type { Config, QueueConfig } from '../config/schema.js';
import type { Logger } from '../shared/logger.js';
import type { ApiKeyRecord, Role, Store } from '../store/index.js';
import type { ReceiptBook } from './erasure-receipts.js';
import type { AdminMetrics } from './metrics.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Least role that may call the route (default viewer). */
    minRole?: Role;
    /** No API key needed (health, readiness). */
    public?: boolean;
  }
  interface FastifyRequest {
    apiKey: ApiKeyRecord | null;
  }
}

/** What every route plugin receives. */
export interface AdminContext {
  store: Store;
  callControl: CallControl;
  recordingsDir: string;
  config: Readonly<Config>;
  logger: Logger;
  receipts: ReceiptBook;
  metrics: AdminMetrics;
  /** Checks what the schema cannot (consent prompts exist and convert); rejects with a HoldgateError. */
  prepareQueue?: (queue: QueueConfig) => Promise<void>;
}

/** The audit actor of a request: the key id, never the key. */
export function actorOf(request: FastifyRequest): string {
  return request.apiKey ? `key:${request.apiKey.id}` : 'anonymous';
}
