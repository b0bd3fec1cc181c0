import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { FINAL_STATUSES, verifyRecording, type RecordingMetadata } from '../../recorder/index.js';
import { metadataPath } from '../../recorder/recording-metadata.js';
import { actorOf, type AdminContext } from '../admin-context.js';
import { VerificationSchema } from './verification-schema.js';
import { httpError, problemResponses } from '../problem.js';
import { parseRange } from '../byte-range.js';
import {
  catalogEntryFrom,
  deleteRecordingMedia,
  readMetadata,
  RECORDING_ID_PATTERN,
} from '../recording-files.js';

/** Fields the catalog entry and the metadata JSON share. */
const RecordingFields = {
  id: Type.String(),
  callId: Type.String(),
  queue: Type.String(),
  from: Type.String(),
  to: Type.String(),
  startedAt: Type.String(),
  endedAt: Type.Union([Type.String(), Type.Null()]),
  status: Type.String(),
  retainUntil: Type.String(),
};

export const CatalogEntrySchema = Type.Object({
  ...RecordingFields,
  audioFile: Type.Union([Type.String(), Type.Null()]),
  deletedAt: Type.Union([Type.String(), Type.Null()]),
});
/** The recorder's metadata JSON; the main fields named, the rest passed through. */
export const MetadataSchema = Type.Object(
  {
    ...RecordingFields,
    audio: Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()]),
  },
  { additionalProperties: true },
);
const IdParams = Type.Object({ id: Type.String({ pattern: RECORDING_ID_PATTERN }) });
const SearchQuery = Type.Object({
  queue: Type.Optional(Type.String({ minLength: 1 })),
  from: Type.Optional(Type.String({ format: 'date-time', description: 'Started at or after.' })),
  to: Type.Optional(Type.String({ format: 'date-time', description: 'Started before.' })),
  number: Type.Optional(
    Type.String({ minLength: 1, description: 'Caller or callee number (From or To user).' }),
  ),
});

const CONTENT_TYPES: Record<string, string> = {
  wav: 'audio/wav',
  flac: 'audio/flac',
  opus: 'audio/ogg',
  mp3: 'audio/mpeg',
};

/** Recordings: search the catalog, read metadata, stream audio (Range), verify, delete. */
export function recordingsRoutes(ctx: AdminContext) {
  const dir = ctx.recordingsDir;
  const load = async (id: string): Promise<RecordingMetadata> => {
    const meta = await readMetadata(dir, id);
    if (!meta) throw httpError('HG_ERR_API_NOT_FOUND', `recording ${id}`);
    return meta;
  };
  return (app: FastifyInstance): Promise<void> => {
    app.get<{ Querystring: { queue?: string; from?: string; to?: string; number?: string } }>(
      '/recordings',
      {
        schema: {
          tags: ['recordings'],
          summary: 'Search recordings (queue, start time range, number)',
          querystring: SearchQuery,
          response: { 200: Type.Array(CatalogEntrySchema), ...problemResponses },
        },
      },
      (request) => ctx.store.catalog.search(request.query),
    );
    app.get<{ Params: { id: string } }>(
      '/recordings/:id',
      {
        schema: {
          tags: ['recordings'],
          summary: 'Metadata of a recording',
          params: IdParams,
          response: { 200: MetadataSchema, ...problemResponses },
        },
      },
      (request) => load(request.params.id),
    );
    app.get<{ Params: { id: string } }>(
      '/recordings/:id/audio',
      {
        config: { minRole: 'supervisor' },
        schema: {
          tags: ['recordings'],
          summary: 'Download or stream the audio (RFC 9110 §14 Range: one byte range)',
          params: IdParams,
          response: {
            200: Type.String({ format: 'binary', description: 'Whole file.' }),
            206: Type.String({ format: 'binary', description: 'The requested range.' }),
            ...problemResponses,
          },
        },
      },
      async (request, reply) => {
        const meta = await load(request.params.id);
        // Per queue, only some roles may listen (config `queues[].listenRoles`).
        const listenRoles = (await ctx.store.queues.get(meta.queue))?.listenRoles;
        const role = request.apiKey?.role;
        if (listenRoles && (role === undefined || !listenRoles.some((r) => r === role))) {
          throw httpError(
            'HG_ERR_API_FORBIDDEN',
            `role ${role ?? 'none'} may not listen to queue ${meta.queue}`,
          );
        }
        if (!meta.audio)
          throw httpError('HG_ERR_API_NOT_FOUND', `recording ${meta.id} has no audio`);
        const path = join(dir, meta.audio.file);
        const size = (await stat(path).catch(() => undefined))?.size;
        if (size === undefined) throw httpError('HG_ERR_API_NOT_FOUND', `audio of ${meta.id}`);
        const header = request.headers.range;
        const range = header === undefined ? null : parseRange(header, size);
        await ctx.store.audit.append({
          actor: actorOf(request),
          action: 'recording.audio.read',
          target: meta.id,
          details: header === undefined ? {} : { range: header },
        });
        reply
          .header('accept-ranges', 'bytes')
          .type(CONTENT_TYPES[meta.audio.format] ?? 'application/octet-stream');
        if (range === 'unsatisfiable') {
          reply.header('content-range', `bytes */${size}`);
          throw httpError('HG_ERR_API_RANGE', `${header ?? ''} of ${size} bytes`);
        }
        if (range === null) {
          reply.header('content-length', size);
          reply.header('content-disposition', `attachment; filename="${meta.audio.file}"`);
          return reply.code(200).send(createReadStream(path));
        }
        reply
          .header('content-range', `bytes ${range.start}-${range.end}/${size}`)
          .header('content-length', range.end - range.start + 1);
        return reply.code(206).send(createReadStream(path, range));
      },
    );
    app.post<{ Params: { id: string } }>(
      '/recordings/:id/verify',
      {
        schema: {
          tags: ['recordings'],
          summary: 'Integrity check: audio SHA-256, metadata digest, timeline consistency',
          params: IdParams,
          response: {
            200: VerificationSchema,
            ...problemResponses,
          },
        },
      },
      async (request) => {
        const meta = await load(request.params.id);
        const result = await verifyRecording(metadataPath(dir, meta.id));
        return { id: meta.id, ...result };
      },
    );
    app.delete<{ Params: { id: string } }>(
      '/recordings/:id',
      {
        config: { minRole: 'privacy-officer' },
        schema: {
          tags: ['recordings'],
          summary: 'Delete audio and personal metadata; a tombstone (status deleted) stays',
          params: IdParams,
          response: {
            200: Type.Object({
              id: Type.String(),
              status: Type.Literal('deleted'),
              deletedAt: Type.String(),
              files: Type.Array(Type.String()),
            }),
            ...problemResponses,
          },
        },
      },
      async (request) => {
        const meta = await load(request.params.id);
        if (meta.status === 'deleted')
          throw httpError('HG_ERR_API_CONFLICT', `${meta.id} already deleted`);
        if (!FINAL_STATUSES.includes(meta.status)) {
          throw httpError('HG_ERR_API_CONFLICT', `${meta.id} is still being recorded`);
        }
        const at = new Date();
        const { files, tombstone } = await deleteRecordingMedia(dir, meta, at);
        await ctx.store.catalog.upsert(catalogEntryFrom(tombstone));
        await ctx.store.audit.append({
          actor: actorOf(request),
          action: 'recording.delete',
          target: meta.id,
          details: { reason: 'request', files },
        });
        return { id: meta.id, status: 'deleted' as const, deletedAt: at.toISOString(), files };
      },
    );
    return Promise.resolve();
  };
}
