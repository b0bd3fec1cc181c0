/**
 * Errors as RFC 9457 problem details (`application/problem+json`), `code` = the HG_ERR_* code.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_CODES, HoldgateError, isHoldgateError, type ErrorCode } from '../errors/registry.js';
import type { Logger } from '../shared/logger.js';

export const ProblemSchema = Type.Object(
  {
    type: Type.String({ description: 'URI naming the problem type (urn:holdgate:error:<code>).' }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.String({ description: 'HG_ERR_* code, see docs/errors.md.' }),
    errors: Type.Optional(
      Type.Array(Type.Object({ path: Type.String(), message: Type.String() }), {
        description: 'Validation problems with their JSON-pointer paths.',
      }),
    ),
  },
  { $id: 'Problem', description: 'RFC 9457 problem details.' },
);
export type Problem = Static<typeof ProblemSchema>;

/** The problem responses every route may give, to merge into a route's `response`. */
export const problemResponses = {
  '4xx': Type.Ref('Problem'),
  '5xx': Type.Ref('Problem'),
} as const;

export function problem(
  code: ErrorCode,
  detail?: string,
  errors?: { path: string; message: string }[],
): Problem {
  const entry = ERROR_CODES[code];
  return {
    type: `urn:holdgate:error:${code}`,
    title: entry.message,
    status: entry.status,
    detail: detail ?? entry.message,
    code,
    ...(errors ? { errors } : {}),
  };
}

export function sendProblem(reply: FastifyReply, p: Problem): FastifyReply {
  return reply.code(p.status).type('application/problem+json').send(p);
}

/** Throwable shorthand used by routes. */
export function httpError(code: ErrorCode, detail?: string): HoldgateError {
  return new HoldgateError(code, detail);
}

export function errorHandler(logger: Logger) {
  return (err: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    if (err.validation) {
      const where = err.validationContext ?? 'body';
      const errors = err.validation.map((v) => ({
        path: `/${where}${v.instancePath}`,
        message: v.message ?? 'invalid',
      }));
      const detail = errors.map((e) => `${e.path}: ${e.message}`).join('; ');
      return sendProblem(reply, problem('HG_ERR_API_VALIDATION', detail, errors));
    }
    if (isHoldgateError(err)) {
      const errors = err.details?.['problems'] as { path: string; message: string }[] | undefined;
      const detail = err.message;
      return sendProblem(reply, { ...problem(err.code, detail, errors), status: err.status });
    }
    if (err.statusCode === 429) return sendProblem(reply, problem('HG_ERR_API_RATE_LIMITED'));
    if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) {
      const p = problem('HG_ERR_API_VALIDATION', err.message);
      return sendProblem(reply, { ...p, status: err.statusCode });
    }
    logger.error({ err, reqId: request.id }, 'admin route failed');
    return sendProblem(reply, problem('HG_ERR_API_INTERNAL', `request ${request.id}`));
  };
}
