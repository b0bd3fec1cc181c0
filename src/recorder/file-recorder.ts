/**
 * The file recorder sink of one call. During the call it appends the delay line's released
 * frames of both directions and the gate's events to the spool (durable at least every second);
 * at call end it finalizes the spool (finalize-recording.ts). Structurally a `DelayLineSink`
 * (`frame`) and a gate listener (`gateEvent`), so the call code wires it without this module
 * importing the gate.
 *
 * Files in `dir`: `<id>.spool` (during the call), `<id>.json` (metadata, from the start),
 * `<id>.<ext>` (audio, after finalize). Lifecycle in recording-metadata.ts.
 */
import { rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { HoldgateError } from '../errors/registry.js';
import type { Logger } from '../shared/logger.js';
import { finalizeSpool } from './finalize-recording.js';
import {
  METADATA_SCHEMA,
  writeMetadata,
  metadataPath,
  type RecordingMetadata,
  type RecordingStatus,
} from './recording-metadata.js';
import {
  RecordKind,
  SPOOL_EXTENSION,
  type AudioFormat,
  type Direction,
  type PauseBehaviour,
  type RecorderGateEvent,
  type SpoolHeader,
} from './spool-format.js';
import { SpoolWriter, type SpoolWriterOptions } from './spool-writer.js';

export interface FileRecorderOptions {
  dir: string;
  /** Recording id; file names derive from it (`[A-Za-z0-9_.-]`). */
  id: string;
  callId: string;
  queue: string;
  from: string;
  to: string;
  /** Wall-clock moment of call time 0 (the caller's INVITE arrived). */
  startedAt: Date;
  /** Default `wav`. */
  format?: AudioFormat;
  /** Default `gap`. */
  pauseBehaviour?: PauseBehaviour;
  /** The delay line's D, for the metadata. Default 2500. */
  delayMs?: number;
  /** Consent policy name of the queue. Default `none`. */
  consentPolicy?: string;
  /** Source codec. Default `PCMU`. */
  codec?: string;
  /** Retention deadline; default `startedAt` + `retentionDays`. */
  retainUntil?: Date;
  /** Default 90. */
  retentionDays?: number;
  /** Keep the spool after a successful finalize. Default false. */
  keepSpool?: boolean;
  /** Spool writer options (fs layer, flush interval, clock) — injectable for tests. */
  spool?: Omit<SpoolWriterOptions, 'onFailure'>;
  logger?: Logger;
}

const DAY_MS = 86_400_000;

export class FileRecorder {
  private current: RecordingStatus = 'recording';
  private finished: Promise<RecordingMetadata> | undefined;
  private metaChain: Promise<unknown> = Promise.resolve();
  private lastClockMs = -Infinity;
  private discarded: Promise<void> | undefined;

  private constructor(
    private readonly options: FileRecorderOptions,
    private readonly header: SpoolHeader,
    private readonly writer: SpoolWriter,
    readonly spoolPath: string,
  ) {}

  /** Creates the spool (header fsync'd) and the in-flight metadata (`recording`). */
  static async open(options: FileRecorderOptions): Promise<FileRecorder> {
    if (!/^[A-Za-z0-9_.-]+$/.test(options.id) || options.id.startsWith('.')) {
      throw new HoldgateError('HG_ERR_RECORDING_SPOOL', `bad recording id ${options.id}`);
    }
    const retainUntil =
      options.retainUntil ??
      new Date(options.startedAt.getTime() + (options.retentionDays ?? 90) * DAY_MS);
    const header: SpoolHeader = {
      version: 1,
      id: options.id,
      callId: options.callId,
      queue: options.queue,
      from: options.from,
      to: options.to,
      startedAt: options.startedAt.toISOString(),
      format: options.format ?? 'wav',
      pauseBehaviour: options.pauseBehaviour ?? 'gap',
      delayMs: options.delayMs ?? 2500,
      consentPolicy: options.consentPolicy ?? 'none',
      codec: options.codec ?? 'PCMU',
      retainUntil: retainUntil.toISOString(),
    };
    const spoolPath = join(options.dir, `${options.id}${SPOOL_EXTENSION}`);
    const ref: { recorder?: FileRecorder } = {};
    const writer = await SpoolWriter.create(spoolPath, header, {
      ...options.spool,
      onFailure: (err) => ref.recorder?.spoolFailed(err),
    });
    const recorder = new FileRecorder(options, header, writer, spoolPath);
    ref.recorder = recorder;
    if (writer.failed) recorder.spoolFailed(writer.error);
    await recorder.saveMetadata(recorder.inFlightMetadata('recording'));
    return recorder;
  }

  get status(): RecordingStatus {
    return this.current;
  }

  /** Bytes known durable in the spool. */
  get durableBytes(): number {
    return this.writer.durableBytes;
  }

  get syncCount(): number {
    return this.writer.syncCount;
  }

  /** A released frame from the delay line (copied into the spool buffer). */
  frame(direction: Direction, callTimeMs: number, pcm: Int16Array): void {
    this.writer.appendFrame(
      direction === 'caller' ? RecordKind.Caller : RecordKind.Agent,
      callTimeMs,
      pcm,
    );
  }

  /**
   * A frame the delay line dropped (paused): not recorded, but once a second of call time a
   * `clock` note keeps the spool's notion of the call's length (for crash recovery).
   */
  dropped(_direction: Direction, callTimeMs: number): void {
    if (callTimeMs - this.lastClockMs < 1000) return;
    this.lastClockMs = callTimeMs;
    this.writer.appendNote(callTimeMs, { type: 'clock' });
  }

  /** A gate event (wire with `gate.onEvent((e) => recorder.gateEvent(e), true)`). */
  gateEvent(event: RecorderGateEvent): void {
    if (this.current === 'recording' || this.current === 'paused') this.current = event.state;
    this.writer.appendNote(Math.round(event.t * 1000), { type: 'gate', event });
  }

  /** The consent outcome (issue 6): kept in the spool, then in the metadata. */
  consentOutcome(outcome: string, callTimeMs: number, record?: Record<string, unknown>): void {
    this.writer.appendNote(callTimeMs, {
      type: 'consent',
      outcome,
      ...(record !== undefined ? { record } : {}),
    });
  }

  /**
   * Consent withdrawn (issue 6, Build 3): stops at once and deletes every trace of this
   * recording on disk: the spool, the metadata and any audio file already finalized. Idempotent;
   * a later `close()` resolves to metadata with status `deleted` and writes nothing.
   */
  discard(): Promise<void> {
    this.discarded ??= (async () => {
      this.current = 'deleted';
      await this.writer.close(0).catch(() => undefined);
      await this.finished?.catch(() => undefined);
      await this.metaChain;
      const dir = this.options.dir;
      const id = this.header.id;
      await Promise.all(
        [this.spoolPath, metadataPath(dir, id), join(dir, `${id}.${this.header.format}`)].map(
          (path) => rm(path, { force: true }),
        ),
      );
      this.options.logger?.info({ recordingId: id }, 'recording discarded (consent withdrawn)');
    })();
    return this.discarded;
  }

  /** The codec negotiated (after a re-INVITE changes it). */
  codec(codec: string, callTimeMs: number): void {
    this.writer.appendNote(callTimeMs, { type: 'codec', codec });
  }

  /** Forces a write + fsync now. */
  flush(): Promise<void> {
    return this.writer.flush();
  }

  /**
   * The call ended at `endMs`: closes the spool and finalizes it. Idempotent. A spool that was
   * not durable gives a `failed` metadata and stays on disk.
   */
  close(endMs: number): Promise<RecordingMetadata> {
    if (this.discarded !== undefined) {
      return this.discarded.then(() => ({
        ...this.inFlightMetadata('deleted'),
        spool: null,
      }));
    }
    this.finished ??= this.finish(endMs);
    return this.finished;
  }

  private async finish(endMs: number): Promise<RecordingMetadata> {
    await this.writer.close(endMs);
    if (this.writer.failed) return this.writeFailed(endMs);
    this.current = 'processing';
    await this.saveMetadata(this.inFlightMetadata('processing'));
    const meta = await finalizeSpool(this.spoolPath, {
      status: 'complete',
      keepSpool: this.options.keepSpool ?? false,
    });
    this.current = meta.status;
    this.options.logger?.info(
      { recordingId: meta.id, status: meta.status, failure: meta.failure },
      'recording finalized',
    );
    return meta;
  }

  private spoolFailed(err: unknown): void {
    if (this.current === 'failed') return;
    this.current = 'failed';
    this.options.logger?.error(
      { recordingId: this.header.id, err },
      'recording spool not durable; recording failed',
    );
    void this.writeFailed(null).catch(() => undefined);
  }

  private async writeFailed(endMs: number | null): Promise<RecordingMetadata> {
    this.current = 'failed';
    const meta = this.inFlightMetadata('failed');
    const err = this.writer.error;
    meta.failure = new HoldgateError(
      'HG_ERR_RECORDING_SPOOL',
      err instanceof Error ? err.message : String(err),
    ).message;
    if (endMs !== null) {
      meta.endedAt = new Date(this.options.startedAt.getTime() + endMs).toISOString();
    }
    await this.saveMetadata(meta);
    return meta;
  }

  /** Metadata writes of this recorder, one at a time (they share the temp name). */
  private saveMetadata(meta: RecordingMetadata): Promise<void> {
    const next = this.metaChain.then(() => writeMetadata(this.options.dir, meta));
    this.metaChain = next.catch(() => undefined);
    return next;
  }

  private inFlightMetadata(status: RecordingStatus): RecordingMetadata {
    const h = this.header;
    return {
      schema: METADATA_SCHEMA,
      id: h.id,
      callId: h.callId,
      queue: h.queue,
      from: h.from,
      to: h.to,
      startedAt: h.startedAt,
      endedAt: null,
      status,
      audio: null,
      pauseBehaviour: h.pauseBehaviour,
      delayMs: h.delayMs,
      holdIntervals: [],
      gateEvents: [],
      segments: [],
      consent: { policy: h.consentPolicy, outcome: 'pending' },
      codec: h.codec,
      retainUntil: h.retainUntil,
      frames: { caller: 0, agent: 0, discarded: 0 },
      spool: basename(this.spoolPath),
      recovered: false,
      finalizedAt: null,
    };
  }
}
