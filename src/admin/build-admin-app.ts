/**
 * The admin REST API as a fastify instance, built without listening (the composition root
 * calls `listen`, tests call `inject`). Each area is an encapsulated plugin; authentication and
 * the role check are one root `onRequest` hook driven by each route's `config.minRole`.
 */
import type { KeyObject } from 'node:crypto';
import { join } from 'node:path';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyRequest,
} from 'fastify';
import type { Registry } from 'prom-client';
import type { CallControl } from '../calls/call-control.js';
import type { Config, QueueConfig } from '../config/schema.js';
import type { Logger } from '../shared/logger.js';
import type { Store } from '../store/index.js';
import type { AdminContext } from './admin-context.js';
import { hashApiKey, roleAllows } from './api-keys.js';
import { defaultReceiptKeyFile, loadOrCreateReceiptKey, ReceiptBook } from './erasure-receipts.js';
import { createAdminMetrics } from './metrics.js';
import { errorHandler, problem, ProblemSchema, sendProblem } from './problem.js';
import { auditRoutes } from './routes/audit-routes.js';
import { callsRoutes } from './routes/calls-routes.js';
import { keysRoutes } from './routes/keys-routes.js';
import { opsRoutes } from './routes/ops-routes.js';
import { queuesRoutes } from './routes/queues-routes.js';
import { recordingsRoutes } from './routes/recordings-routes.js';
import { subjectsRoutes } from './routes/subjects-routes.js';

export interface AdminAppOptions {
  store: Store;
  callControl: CallControl;
  recordingsDir: string;
  config: Readonly<Config>;
  logger: Logger;
  /** Ed25519 private key for erasure receipts. Default: `config.admin.receiptKeyFile`, else generated under the recordings dir. */
  receiptKey?: KeyObject;
  /** Registry to add the admin metrics to (share it with the media side). Default: a new one. */
  metricsRegistry?: Registry;
  /** Extra check of a queue created or replaced through the API (consent prompts). */
  prepareQueue?: (queue: QueueConfig) => Promise<void>;
}

function presentedKey(request: FastifyRequest): string | undefined {
  const auth = request.headers.authorization;
  if (auth !== undefined) {
    const m = /^Bearer\s+(\S+)$/i.exec(auth);
    return m?.[1];
  }
  const header = request.headers['x-api-key'];
  return typeof header === 'string' && header !== '' ? header : undefined;
}

export async function buildAdminApp(options: AdminAppOptions): Promise<FastifyInstance> {
  const { store, callControl, recordingsDir, config, logger } = options;
  const adminConfig = config.admin;
  const receiptKey =
    options.receiptKey ??
    (await loadOrCreateReceiptKey(
      adminConfig.receiptKeyFile ?? defaultReceiptKeyFile(recordingsDir),
    ));
  const ctx: AdminContext = {
    store,
    callControl,
    recordingsDir,
    config,
    logger,
    receipts: new ReceiptBook(join(recordingsDir, 'receipts'), receiptKey),
    metrics: createAdminMetrics(callControl, store, options.metricsRegistry),
    ...(options.prepareQueue ? { prepareQueue: options.prepareQueue } : {}),
  };

  const loggerInstance: FastifyBaseLogger = logger.child({ component: 'admin' });
  const app = Fastify({
    loggerInstance,
    ajv: { customOptions: { removeAdditional: false, allErrors: true } },
  });
  app.decorateRequest('apiKey', null);
  app.addSchema(ProblemSchema);
  app.setErrorHandler(errorHandler(logger));
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, problem('HG_ERR_API_NOT_FOUND', `${request.method} ${request.url}`)),
  );

  await app.register(rateLimit, { global: false });
  const authFailures = app.createRateLimit({
    max: adminConfig.authFailuresPerMinute,
    timeWindow: 60_000,
    keyGenerator: (request) => request.ip,
  });

  // Authentication (Bearer or X-Api-Key) and role; failures counted per source IP.
  app.addHook('onRequest', async (request, reply) => {
    const routeConfig = request.routeOptions.config;
    if (routeConfig.public) return;
    const limited = await authFailures(request, { increment: false });
    if (!limited.isAllowed && (limited.isExceeded || limited.remaining <= 0)) {
      reply.header('retry-after', Math.ceil(limited.ttl / 1000));
      return sendProblem(reply, problem('HG_ERR_API_RATE_LIMITED'));
    }
    const key = presentedKey(request);
    const record = key === undefined ? undefined : await store.apiKeys.findByHash(hashApiKey(key));
    if (!record) {
      await authFailures(request);
      ctx.metrics.authFailures.inc();
      reply.header('www-authenticate', 'Bearer realm="holdgate"');
      return sendProblem(reply, problem('HG_ERR_API_UNAUTHORIZED'));
    }
    request.apiKey = record;
    const need = routeConfig.minRole ?? 'viewer';
    if (!roleAllows(record.role, need)) {
      return sendProblem(
        reply,
        problem('HG_ERR_API_FORBIDDEN', `role ${record.role} may not; needs ${need}`),
      );
    }
    return undefined;
  });

  await app.register(swagger, {
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) =>
        typeof json.$id === 'string' ? json.$id : `def-${i}`,
    },
    openapi: {
      info: {
        title: 'holdgate admin API',
        version: '1',
        description: 'Calls, queues, recordings, data-subject requests and the audit log.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          apiKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key' },
        },
      },
      security: [{ bearer: [] }, { apiKey: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  await app.register(opsRoutes(ctx));
  await app.register(callsRoutes(ctx));
  await app.register(queuesRoutes(ctx));
  await app.register(recordingsRoutes(ctx));
  await app.register(subjectsRoutes(ctx));
  await app.register(auditRoutes(ctx));
  await app.register(keysRoutes(ctx));
  return app;
}
