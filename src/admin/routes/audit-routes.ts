import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AdminContext } from '../admin-context.js';
import { problemResponses } from '../problem.js';

const AuditEntrySchema = Type.Object({
  seq: Type.Integer(),
  at: Type.String(),
  actor: Type.String(),
  action: Type.String(),
  target: Type.String(),
  details: Type.Object({}, { additionalProperties: true }),
  prevHash: Type.String(),
  hash: Type.String(),
});

/** The tamper-evident audit log: entries and the verification of the whole chain. */
export function auditRoutes(ctx: AdminContext) {
  return (app: FastifyInstance): Promise<void> => {
    app.get<{ Querystring: { afterSeq?: number; limit?: number } }>(
      '/audit',
      {
        config: { minRole: 'privacy-officer' },
        schema: {
          tags: ['audit'],
          summary: 'Audit entries (after a seq, up to a limit) and the chain verification',
          querystring: Type.Object({
            afterSeq: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000, default: 1000 })),
          }),
          response: {
            200: Type.Object({
              entries: Type.Array(AuditEntrySchema),
              verification: Type.Object({
                ok: Type.Boolean(),
                count: Type.Integer(),
                brokenAt: Type.Optional(Type.Integer()),
                reason: Type.Optional(Type.String()),
              }),
            }),
            ...problemResponses,
          },
        },
      },
      async (request) => {
        const entries = await ctx.store.audit.list({
          afterSeq: request.query.afterSeq ?? 0,
          limit: request.query.limit ?? 1000,
        });
        return { entries, verification: await ctx.store.audit.verify() };
      },
    );
    return Promise.resolve();
  };
}
