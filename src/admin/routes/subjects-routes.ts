import { createHash, randomUUID } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { FINAL_STATUSES, type RecordingMetadata } from '../../recorder/index.js';
import { normalizeNumber, numberMatches } from '../../store/index.js';
import { actorOf, type AdminContext } from '../admin-context.js';
import type { ErasureReceipt } from '../erasure-receipts.js';
import { VerificationSchema } from './verification-schema.js';
import { httpError, problemResponses } from '../problem.js';
import { eraseRecording, readMetadata, rebuildCatalog } from '../recording-files.js';
import { exportSubject } from '../subject-export.js';

const NumberParams = Type.Object({
  number: Type.String({ pattern: '^[A-Za-z0-9+*#._-]{1,64}$', description: 'Caller number.' }),
});
const ReceiptSchema = Type.Object({
  id: Type.String(),
  subject: Type.String(),
  requestedBy: Type.String(),
  erasedAt: Type.String(),
  recordings: Type.Array(
    Type.Object({
      id: Type.String(),
      callId: Type.String(),
      queue: Type.String(),
      startedAt: Type.String(),
      audioSha256: Type.Union([Type.String(), Type.Null()]),
      files: Type.Array(Type.String()),
    }),
  ),
  publicKey: Type.String(),
  signature: Type.String(),
});
const ReceiptParams = Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9-]{1,64}$' }) });

/** Audit target for a data subject: a digest, so the log itself holds no phone number. */
function subjectRef(number: string): string {
  return `subject:${createHash('sha256').update(normalizeNumber(number)).digest('hex').slice(0, 16)}`;
}

/** Data-subject requests (GDPR Art. 15 access, Art. 17 erasure) and erasure receipts. */
export function subjectsRoutes(ctx: AdminContext) {
  const dir = ctx.recordingsDir;
  /**
   * Every recording of `number` per the metadata files. The catalog is rebuilt first: these
   * requests are rare and must not miss a recording indexed late.
   */
  const recordingsOf = async (number: string): Promise<RecordingMetadata[]> => {
    await rebuildCatalog(ctx.store.catalog, dir);
    const out: RecordingMetadata[] = [];
    for (const e of await ctx.store.catalog.search({ number })) {
      const meta = await readMetadata(dir, e.id);
      if (meta && (numberMatches(meta.from, number) || numberMatches(meta.to, number))) {
        out.push(meta);
      }
    }
    return out;
  };
  return (app: FastifyInstance): Promise<void> => {
    app.post<{ Params: { number: string } }>(
      '/subjects/:number/export',
      {
        config: { minRole: 'privacy-officer' },
        schema: {
          tags: ['subjects'],
          summary: 'Access request: tar.gz of recordings, metadata, consent records, manifest',
          params: NumberParams,
          response: {
            200: Type.String({ format: 'binary', description: 'application/gzip (tar).' }),
            ...problemResponses,
          },
        },
      },
      async (request, reply) => {
        const { number } = request.params;
        const recordings = (await recordingsOf(number)).filter((m) => m.status !== 'deleted');
        const consent = await ctx.store.consent.listByNumber(number);
        await ctx.store.audit.append({
          actor: actorOf(request),
          action: 'subject.export',
          target: subjectRef(number),
          details: { recordings: recordings.map((r) => r.id), consentRecords: consent.length },
        });
        const stream = exportSubject({
          subject: number,
          recordingsDir: dir,
          recordings,
          consent,
          logger: ctx.logger,
        });
        return reply
          .type('application/gzip')
          .header('content-disposition', `attachment; filename="subject-export.tar.gz"`)
          .send(stream);
      },
    );
    app.post<{ Params: { number: string } }>(
      '/subjects/:number/erase',
      {
        config: { minRole: 'privacy-officer' },
        schema: {
          tags: ['subjects'],
          summary: 'Erasure: audio and metadata deleted; returns the signed receipt',
          params: NumberParams,
          response: {
            201: Type.Object({ receipt: ReceiptSchema, skipped: Type.Array(Type.String()) }),
            ...problemResponses,
          },
        },
      },
      async (request, reply) => {
        const { number } = request.params;
        const erasedAt = new Date().toISOString();
        const erased: ErasureReceipt['recordings'] = [];
        const skipped: string[] = [];
        for (const meta of await recordingsOf(number)) {
          if (!FINAL_STATUSES.includes(meta.status)) {
            skipped.push(meta.id); // still being written: erase again after the call
            continue;
          }
          const files = await eraseRecording(dir, meta);
          await ctx.store.catalog.remove(meta.id);
          erased.push({
            id: meta.id,
            callId: meta.callId,
            queue: meta.queue,
            startedAt: meta.startedAt,
            audioSha256: meta.audio?.sha256 ?? null,
            files,
          });
        }
        const receipt = await ctx.receipts.issue({
          id: randomUUID(),
          subject: number,
          requestedBy: request.apiKey?.id ?? 'unknown',
          erasedAt,
          recordings: erased,
        });
        await ctx.store.audit.append({
          actor: actorOf(request),
          action: 'subject.erase',
          target: subjectRef(number),
          details: { receipt: receipt.id, recordings: erased.map((r) => r.id), skipped },
        });
        return reply.code(201).send({ receipt, skipped });
      },
    );
    app.get<{ Params: { id: string } }>(
      '/receipts/:id',
      {
        config: { minRole: 'privacy-officer' },
        schema: {
          tags: ['subjects'],
          summary: 'An erasure receipt (the written confirmation)',
          params: ReceiptParams,
          response: { 200: ReceiptSchema, ...problemResponses },
        },
      },
      async (request) => {
        const receipt = await ctx.receipts.get(request.params.id);
        if (!receipt) throw httpError('HG_ERR_API_NOT_FOUND', `receipt ${request.params.id}`);
        return receipt;
      },
    );
    app.post<{ Params: { id: string } }>(
      '/receipts/:id/verify',
      {
        config: { minRole: 'privacy-officer' },
        schema: {
          tags: ['subjects'],
          summary: "Check a stored receipt's Ed25519 signature",
          params: ReceiptParams,
          response: {
            200: VerificationSchema,
            ...problemResponses,
          },
        },
      },
      async (request) => {
        const receipt = await ctx.receipts.get(request.params.id);
        if (!receipt) throw httpError('HG_ERR_API_NOT_FOUND', `receipt ${request.params.id}`);
        return { id: receipt.id, ...ctx.receipts.verify(receipt) };
      },
    );
    return Promise.resolve();
  };
}
