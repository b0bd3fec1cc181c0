import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AdminContext } from '../admin-context.js';
import { problemResponses } from '../problem.js';

/** Liveness, readiness (store answers), Prometheus metrics, effective configuration. */
export function opsRoutes(ctx: AdminContext) {
  return (app: FastifyInstance): Promise<void> => {
    app.get(
      '/health',
      {
        config: { public: true },
        schema: { tags: ['ops'], response: { 200: Type.Object({ status: Type.Literal('ok') }) } },
      },
      () => ({ status: 'ok' as const }),
    );
    app.get(
      '/ready',
      {
        config: { public: true },
        schema: {
          tags: ['ops'],
          response: {
            200: Type.Object({ ready: Type.Boolean(), store: Type.String() }),
            503: Type.Object({ ready: Type.Boolean(), store: Type.String() }),
          },
        },
      },
      async (_request, reply) => {
        const ok = await ctx.store.ping();
        return reply.code(ok ? 200 : 503).send({ ready: ok, store: ctx.store.kind });
      },
    );
    app.get(
      '/metrics',
      {
        schema: {
          tags: ['ops'],
          summary: 'Prometheus text exposition',
          response: { 200: Type.String(), ...problemResponses },
        },
      },
      async (_request, reply) => {
        const text = await ctx.metrics.registry.metrics();
        return reply.type(ctx.metrics.registry.contentType).send(text);
      },
    );
    app.get(
      '/config',
      {
        config: { minRole: 'admin' },
        schema: {
          tags: ['ops'],
          summary: 'The validated configuration this instance started with',
          response: { 200: Type.Object({}, { additionalProperties: true }), ...problemResponses },
        },
      },
      () => ctx.config,
    );
    return Promise.resolve();
  };
}
