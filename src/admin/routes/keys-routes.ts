import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { ROLES, type Role } from '../../store/index.js';
import { actorOf, type AdminContext } from '../admin-context.js';
import { createApiKey } from '../api-keys.js';
import { httpError, problemResponses } from '../problem.js';

const RoleSchema = Type.Union(ROLES.map((r) => Type.Literal(r)));
const KeySchema = Type.Object({
  id: Type.String(),
  role: RoleSchema,
  label: Type.String(),
  createdAt: Type.String(),
});

/** API keys (admin only). The secret is returned once, on creation. */
export function keysRoutes(ctx: AdminContext) {
  return (app: FastifyInstance): Promise<void> => {
    app.get(
      '/keys',
      {
        config: { minRole: 'admin' },
        schema: { tags: ['keys'], response: { 200: Type.Array(KeySchema), ...problemResponses } },
      },
      () => ctx.store.apiKeys.list(),
    );
    app.post<{ Body: { role: Role; label?: string } }>(
      '/keys',
      {
        config: { minRole: 'admin' },
        schema: {
          tags: ['keys'],
          body: Type.Object(
            { role: RoleSchema, label: Type.Optional(Type.String({ maxLength: 100 })) },
            { additionalProperties: false },
          ),
          response: {
            201: Type.Object({ ...KeySchema.properties, key: Type.String() }),
            ...problemResponses,
          },
        },
      },
      async (request, reply) => {
        const { key, record } = await createApiKey(
          ctx.store,
          request.body.role,
          request.body.label,
        );
        await ctx.store.audit.append({
          actor: actorOf(request),
          action: 'key.create',
          target: `key:${record.id}`,
          details: { role: record.role },
        });
        return reply.code(201).send({ ...record, key });
      },
    );
    app.delete<{ Params: { id: string } }>(
      '/keys/:id',
      {
        config: { minRole: 'admin' },
        schema: {
          tags: ['keys'],
          params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }),
          response: {
            200: Type.Object({ id: Type.String(), deleted: Type.Boolean() }),
            ...problemResponses,
          },
        },
      },
      async (request) => {
        const { id } = request.params;
        if (!(await ctx.store.apiKeys.remove(id)))
          throw httpError('HG_ERR_API_NOT_FOUND', `key ${id}`);
        await ctx.store.audit.append({
          actor: actorOf(request),
          action: 'key.delete',
          target: `key:${id}`,
        });
        return { id, deleted: true };
      },
    );
    return Promise.resolve();
  };
}
