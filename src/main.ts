import type { Config } from './config/schema.js';
import { createRootLogger, type Logger } from './shared/logger.js';
import { TransportLayer, type Endpoint } from './sip/transport/index.js';
import { TransactionLayer } from './sip/transaction/index.js';
import { UserAgentCore } from './sip/dialog/index.js';
import { B2bua } from './calls/b2bua.js';

/** A running holdgate: the SIP stack and the B2BUA, wired. */
export interface Holdgate {
  readonly config: Readonly<Config>;
  readonly logger: Logger;
  readonly transport: TransportLayer;
  readonly transactions: TransactionLayer;
  readonly core: UserAgentCore;
  readonly b2bua: B2bua;
  localEndpoints(): readonly Endpoint[];
  /** SIGTERM behaviour: refuse new calls, let calls finish until the deadline, then close. */
  drain(deadlineMs?: number): Promise<void>;
  /** End all calls and close every socket and timer. Idempotent. */
  close(): Promise<void>;
}

/**
 * The composition root: the only place that picks implementations and wires layers together.
 * Nothing here reads the environment; the CLI passes a validated, frozen config.
 */
export async function startHoldgate(
  config: Readonly<Config>,
  options: { logger?: Logger } = {},
): Promise<Holdgate> {
  const logger = options.logger ?? createRootLogger({ level: config.log.level });
  const sip = config.sip;
  const transport = new TransportLayer({
    listen: sip.listen,
    limits: { maxMessageBytes: sip.maxMessageBytes, maxHeaders: sip.maxHeaders },
    tcpIdleTimeoutMs: sip.tcpIdleTimeoutSeconds * 1000,
    logger: logger.child({ layer: 'transport' }),
    ...(sip.advertisedAddress !== undefined ? { advertisedAddress: sip.advertisedAddress } : {}),
  });
  const transactions = new TransactionLayer(transport, {
    t1: sip.t1Ms,
    t2: sip.t2Ms,
    t4: sip.t4Ms,
    maxTransactions: sip.maxTransactions,
    logger: logger.child({ layer: 'transaction' }),
  });
  const core = new UserAgentCore(transactions, transport, {
    t1: sip.t1Ms,
    t2: sip.t2Ms,
    logger: logger.child({ layer: 'dialog' }),
    userAgent: sip.userAgent,
  });
  const b2bua = new B2bua(core, { config, logger: logger.child({ layer: 'calls' }) });
  transactions.setUser(core);
  core.setUser(b2bua);
  transport.setListener({ onMessage: (message, ctx) => transactions.receive(message, ctx) });
  await transport.start();

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      b2bua.endAll('shutdown');
      // Give the BYEs a moment to leave before the sockets close.
      await new Promise((r) => setTimeout(r, 50));
      core.close();
      transactions.close();
      await transport.close();
    })();
    return closed;
  };

  return {
    config,
    logger,
    transport,
    transactions,
    core,
    b2bua,
    localEndpoints: () => transport.localEndpoints(),
    drain: async (deadlineMs = sip.drainDeadlineSeconds * 1000) => {
      await b2bua.drain(deadlineMs);
    },
    close,
  };
}
