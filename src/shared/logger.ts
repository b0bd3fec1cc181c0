import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/**
 * The one pino root logger. Modules receive a child (`logger.child({ callId, queue, leg })`);
 * nothing logs per packet.
 */
export function createRootLogger(
  options: { level: string; pretty?: boolean } & LoggerOptions,
): Logger {
  return pino({
    level: options.level,
    base: { service: 'holdgate' },
    redact: {
      paths: ['authorization', 'proxyAuthorization', 'headers.authorization', 'apiKey'],
      censor: '[redacted]',
    },
  });
}

/** A logger that drops everything; for tests and tools. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
