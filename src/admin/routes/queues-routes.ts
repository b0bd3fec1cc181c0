import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { validateConfig } from '../../config/load-config.js';
import { QueueSchema, type QueueConfig } from '../../config/schema.js';
import { HoldgateError, isHoldgateError } from '../../errors/registry.js';
import { actorOf, type AdminContext } from '../admin-context.js';
import { httpError, problemResponses } from '../problem.js';

const NameParams = Type.Object({
  name: Type.String({ minLength: 1, pattern: '^[A-Za-z0-9_.-]+$' }),
});

/**
 * The same checks as a queue entry of the config file (schema and semantics: IP literal, valid
 * regular expressions, at least one match rule), problems reported with `/body/...` paths.
 */
function checkQueue(queue: QueueConfig): QueueConfig {
  try {
    return structuredClone(validateConfig({ queues: [queue] }).queues[0]!);
  } catch (err) {
    if (!isHoldgateError(err) || err.code !== 'HG_ERR_CONFIG_INVALID') throw err;
    const raw = (err.details?.['problems'] ?? []) as { path: string; message: string }[];
    const problems = raw.map((p) => ({ ...p, path: p.path.replace(/^\/queues\/0/, '/body') }));
    throw new HoldgateError(
      'HG_ERR_API_VALIDATION',
      problems.map((p) => `${p.path}: ${p.message}`).join('; '),
      { problems },
    );
  }
}

/** Consent problems of a queue (missing purpose text, unreadable prompt) as a 400 on `/body/consent`. */
async function prepareQueue(ctx: AdminContext, queue: QueueConfig): Promise<void> {
  try {
    await ctx.prepareQueue?.(queue);
  } catch (err) {
    const codes = ['HG_ERR_CONSENT_CONFIG', 'HG_ERR_PROMPT_CONVERT', 'HG_ERR_PROMPT_SYNTHESIS'];
    if (!isHoldgateError(err) || !codes.includes(err.code)) throw err;
    const problems = [{ path: '/body/consent', message: err.message }];
    throw new HoldgateError('HG_ERR_API_VALIDATION', `/body/consent: ${err.message}`, {
      problems,
    });
  }
}

/** Queue configuration: changes apply to new calls on every instance sharing the store. */
export function queuesRoutes(ctx: AdminContext) {
  return (app: FastifyInstance): Promise<void> => {
    const audit = (request: Parameters<typeof actorOf>[0], action: string, name: string) =>
      ctx.store.audit.append({ actor: actorOf(request), action, target: `queue:${name}` });
    app.get(
      '/queues',
      {
        schema: {
          tags: ['queues'],
          summary: 'List queues in match order',
          response: { 200: Type.Array(QueueSchema), ...problemResponses },
        },
      },
      () => ctx.store.queues.list(),
    );
    app.post<{ Body: QueueConfig }>(
      '/queues',
      {
        config: { minRole: 'admin' },
        schema: {
          tags: ['queues'],
          summary: 'Create a queue (matched after the existing ones)',
          body: QueueSchema,
          response: { 201: QueueSchema, ...problemResponses },
        },
      },
      async (request, reply) => {
        const queue = checkQueue(request.body);
        if (await ctx.store.queues.get(queue.name)) {
          throw httpError('HG_ERR_API_CONFLICT', `queue ${queue.name} exists`);
        }
        await prepareQueue(ctx, queue);
        await ctx.store.queues.put(queue);
        await audit(request, 'queue.create', queue.name);
        return reply.code(201).send(queue);
      },
    );
    app.get<{ Params: { name: string } }>(
      '/queues/:name',
      {
        schema: {
          tags: ['queues'],
          params: NameParams,
          response: { 200: QueueSchema, ...problemResponses },
        },
      },
      async (request) => {
        const q = await ctx.store.queues.get(request.params.name);
        if (!q) throw httpError('HG_ERR_API_NOT_FOUND', `queue ${request.params.name}`);
        return q;
      },
    );
    app.put<{ Params: { name: string }; Body: QueueConfig }>(
      '/queues/:name',
      {
        config: { minRole: 'admin' },
        schema: {
          tags: ['queues'],
          summary: 'Create or replace a queue (keeps its match position)',
          params: NameParams,
          body: QueueSchema,
          response: { 200: QueueSchema, 201: QueueSchema, ...problemResponses },
        },
      },
      async (request, reply) => {
        if (request.body.name !== request.params.name) {
          throw new HoldgateError('HG_ERR_API_VALIDATION', '/body/name: must equal the URL name', {
            problems: [{ path: '/body/name', message: 'must equal the URL name' }],
          });
        }
        const queue = checkQueue(request.body);
        await prepareQueue(ctx, queue);
        const created = await ctx.store.queues.put(queue);
        await audit(request, created ? 'queue.create' : 'queue.update', queue.name);
        return reply.code(created ? 201 : 200).send(queue);
      },
    );
    app.delete<{ Params: { name: string } }>(
      '/queues/:name',
      {
        config: { minRole: 'admin' },
        schema: {
          tags: ['queues'],
          params: NameParams,
          response: {
            200: Type.Object({ name: Type.String(), deleted: Type.Boolean() }),
            ...problemResponses,
          },
        },
      },
      async (request) => {
        const { name } = request.params;
        if (!(await ctx.store.queues.delete(name)))
          throw httpError('HG_ERR_API_NOT_FOUND', `queue ${name}`);
        await audit(request, 'queue.delete', name);
        return { name, deleted: true };
      },
    );
    return Promise.resolve();
  };
}
