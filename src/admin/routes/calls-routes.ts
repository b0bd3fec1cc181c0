import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { actorOf, type AdminContext } from '../admin-context.js';
import { httpError, problemResponses } from '../problem.js';

const CallState = Type.Union(
  ['proceeding', 'consent', 'early', 'confirmed', 'ending', 'ended'].map((s) => Type.Literal(s)),
);
const Dialog = Type.Union(['early', 'confirmed', 'terminated', 'none'].map((s) => Type.Literal(s)));
const summaryProps = {
  id: Type.String(),
  queue: Type.String(),
  from: Type.String(),
  to: Type.String(),
  startedAt: Type.String({ format: 'date-time' }),
  state: CallState,
  recording: Type.Union(['recording', 'paused', 'not-recorded'].map((s) => Type.Literal(s))),
  pauseCauses: Type.Array(Type.String()),
};
export const CallSummarySchema = Type.Object(summaryProps);
export const CallDetailSchema = Type.Object({
  ...summaryProps,
  legs: Type.Object({
    caller: Type.Object({ sipCallId: Type.String(), dialog: Dialog }),
    pbx: Type.Object({ dialog: Dialog }),
  }),
  onHold: Type.Boolean(),
  gateEvents: Type.Array(
    Type.Object({
      t: Type.Number({ description: 'Call time (s).' }),
      state: Type.Union([Type.Literal('recording'), Type.Literal('paused')]),
      cause: Type.String(),
    }),
  ),
});
const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 256 }) });
const ReasonBody = Type.Union([
  Type.Object({ reason: Type.Optional(Type.String({ maxLength: 200 })) }),
  Type.Null(),
]);
const Ok = Type.Object({ id: Type.String(), ok: Type.Boolean() });

/** Live calls through the narrow CallControl interface (visible from any instance's API). */
export function callsRoutes(ctx: AdminContext) {
  return (app: FastifyInstance): Promise<void> => {
    app.get(
      '/calls',
      {
        schema: {
          tags: ['calls'],
          summary: 'List live calls',
          response: { 200: Type.Array(CallSummarySchema), ...problemResponses },
        },
      },
      () => ctx.callControl.list(),
    );
    app.get<{ Params: { id: string } }>(
      '/calls/:id',
      {
        schema: {
          tags: ['calls'],
          summary: 'One call: legs, hold state, gate timeline',
          params: IdParams,
          response: { 200: CallDetailSchema, ...problemResponses },
        },
      },
      (request) => {
        const call = ctx.callControl.get(request.params.id);
        if (!call) throw httpError('HG_ERR_API_NOT_FOUND', `call ${request.params.id}`);
        return call;
      },
    );
    const actions = {
      pause: (id: string, reason: string) => ctx.callControl.pauseRecording(id, reason),
      resume: (id: string) => ctx.callControl.resumeRecording(id),
      hangup: (id: string, reason: string) => ctx.callControl.hangUp(id, reason),
    } as const;
    for (const [action, run] of Object.entries(actions)) {
      app.post<{ Params: { id: string }; Body: { reason?: string } | null }>(
        `/calls/:id/${action}`,
        {
          config: { minRole: 'supervisor' },
          schema: {
            tags: ['calls'],
            summary: `${action} the call${action === 'hangup' ? '' : "'s recording"}`,
            params: IdParams,
            body: ReasonBody,
            response: { 200: Ok, ...problemResponses },
          },
        },
        async (request) => {
          const { id } = request.params;
          const reason = request.body?.reason ?? `api ${action}`;
          if (!run(id, reason)) throw httpError('HG_ERR_API_NOT_FOUND', `call ${id}`);
          await ctx.store.audit.append({
            actor: actorOf(request),
            action: `call.${action}`,
            target: id,
            details: { reason },
          });
          return { id, ok: true };
        },
      );
    }
    return Promise.resolve();
  };
}
