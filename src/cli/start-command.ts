import { parseArgs } from 'node:util';
import { loadConfigFile } from '../config/load-config.js';
import { createRootLogger } from '../shared/logger.js';
import { startHoldgate } from '../main.js';

/**
 * `holdgate start --config <file>`: run until SIGTERM/SIGINT. On SIGTERM new INVITEs get 503 with
 * Retry-After and calls in progress run until they end or the drain deadline passes.
 */
export async function startCommand(args: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: { config: { type: 'string', short: 'c' } },
    allowPositionals: false,
  });
  if (!values.config) {
    process.stderr.write('holdgate start: --config <file> is required\n');
    return 2;
  }
  const config = loadConfigFile(values.config);
  const logger = createRootLogger({ level: config.log.level });
  // The one place the process environment is handed on: REDIS_URL, HOLDGATE_ADMIN_KEY.
  const holdgate = await startHoldgate(config, { logger, env: process.env });
  logger.info(
    {
      listen: holdgate.localEndpoints().map((e) => `${e.protocol}:${e.address}:${e.port}`),
      queues: config.queues.map((q) => q.name),
    },
    'holdgate started',
  );
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals): void => {
      if (stopping) {
        logger.warn({ signal }, 'second signal: closing now');
        void holdgate.close().then(() => resolve(0));
        return;
      }
      stopping = true;
      logger.info({ signal, activeCalls: holdgate.b2bua.activeCalls }, 'draining');
      const drain = signal === 'SIGTERM' ? holdgate.drain() : Promise.resolve();
      void drain
        .then(() => holdgate.close())
        .then(() => {
          logger.info('holdgate stopped');
          resolve(0);
        });
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}
