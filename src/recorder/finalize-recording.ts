/**
 * Turns a spool into the queue's audio format and the metadata JSON. Runs after the call ends
 * (status `complete`) and at startup for spools a crash left behind (`incomplete`): the same
 * code path, reading only the spool. Steps: index the spool; lay out the file from the gate
 * events (gap or silence); write interleaved PCM16 stereo (caller left, agent right) to a
 * temporary raw file; encode it with ffmpeg to `.<id>.<ext>.tmp`; fsync, hash (SHA-256), rename
 * to `<id>.<ext>`; write the metadata (temp + rename); remove the raw file and the spool.
 * If anything fails, the metadata says `failed` and the spool stays.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import ffmpeg from 'fluent-ffmpeg';
import { HoldgateError } from '../errors/registry.js';
import { pauseLayout, holdIntervalsFromEvents, type PauseLayout } from './pause-layout.js';
import {
  FRAME_BYTES,
  FRAME_MS,
  FRAME_SAMPLES,
  SAMPLE_RATE,
  readSpool,
  type AudioFormat,
  type Direction,
  type RecorderGateEvent,
  type SpoolContents,
} from './spool-format.js';
import {
  METADATA_SCHEMA,
  syncDirectory,
  writeMetadata,
  type RecordingMetadata,
} from './recording-metadata.js';

/** Encoder settings per format: file extension, ffmpeg muxer and codec options. */
export const AUDIO_FORMATS: Record<
  AudioFormat,
  { ext: string; encoder: string; options: string[] }
> = {
  wav: { ext: 'wav', encoder: 'pcm_s16le', options: ['-c:a pcm_s16le', '-f wav'] },
  flac: { ext: 'flac', encoder: 'flac', options: ['-c:a flac', '-f flac'] },
  opus: { ext: 'opus', encoder: 'libopus', options: ['-c:a libopus', '-b:a 24k', '-f ogg'] },
  mp3: { ext: 'mp3', encoder: 'libmp3lame', options: ['-c:a libmp3lame', '-b:a 32k', '-f mp3'] },
};

export interface FinalizeOptions {
  /** `complete` after a clean call end; `incomplete` for a recovered spool. */
  status: 'complete' | 'incomplete';
  /** Keep the spool after a successful finalize. Default false. */
  keepSpool?: boolean;
  recovered?: boolean;
  /** Clock for `finalizedAt`. */
  now?: () => Date;
}

/** Finalizes the spool at `spoolPath`; returns the metadata written. Never throws for ffmpeg or
 *  disk failures after the spool was read: they produce a `failed` metadata instead. */
export async function finalizeSpool(
  spoolPath: string,
  options: FinalizeOptions,
): Promise<RecordingMetadata> {
  const contents = await readSpool(spoolPath);
  const { header } = contents;
  const dir = dirname(spoolPath);
  const now = options.now ?? (() => new Date());
  const endMs = Math.max(contents.endMs ?? contents.lastMs, 0);
  const events = contents.notes.flatMap((n) => (n.note.type === 'gate' ? [n.note.event] : []));
  const layout = pauseLayout(events, endMs, header.pauseBehaviour);
  const placed = placeFrames(contents, layout);
  const meta: RecordingMetadata = {
    schema: METADATA_SCHEMA,
    id: header.id,
    callId: header.callId,
    queue: header.queue,
    from: header.from,
    to: header.to,
    startedAt: header.startedAt,
    endedAt: new Date(Date.parse(header.startedAt) + endMs).toISOString(),
    status: options.status,
    audio: null,
    pauseBehaviour: header.pauseBehaviour,
    delayMs: header.delayMs,
    holdIntervals: holdIntervalsFromEvents(events, endMs),
    gateEvents: events,
    segments: layout.segments,
    consent: {
      policy: header.consentPolicy,
      outcome: consentOutcome(contents, events),
      ...consentRecord(contents),
    },
    codec: lastCodec(contents) ?? header.codec,
    retainUntil: header.retainUntil,
    frames: { caller: placed.caller, agent: placed.agent, discarded: placed.discarded },
    spool: null,
    recovered: options.recovered ?? false,
    finalizedAt: null,
  };
  if (placed.caller + placed.agent === 0) {
    // nothing recordable (all on hold, opted out, no media): metadata only
    meta.status = 'absent';
    meta.segments = [];
    meta.finalizedAt = now().toISOString();
    await writeMetadata(dir, meta);
    if (options.keepSpool !== true) await removeQuietly(spoolPath, dir);
    return meta;
  }
  const format = AUDIO_FORMATS[header.format];
  const audioName = `${header.id}.${format.ext}`;
  const rawPath = join(dir, `.${header.id}.raw.tmp`);
  const tmpAudio = join(dir, `.${audioName}.tmp`);
  try {
    await writeInterleaved(spoolPath, rawPath, layout, placed.slots, header.pauseBehaviour);
    await encode(rawPath, tmpAudio, format.options);
    const handle = await open(tmpAudio, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    const sha256 = await sha256File(tmpAudio);
    const bytes = (await stat(tmpAudio)).size;
    await rename(tmpAudio, join(dir, audioName));
    await syncDirectory(dir);
    meta.audio = {
      file: audioName,
      format: header.format,
      sha256,
      channels: ['caller', 'agent'],
      sampleRate: SAMPLE_RATE,
      encoder: format.encoder,
      durationSeconds: (layout.fileSlots * FRAME_MS) / 1000,
      bytes,
    };
    meta.finalizedAt = now().toISOString();
    await writeMetadata(dir, meta);
  } catch (err) {
    await unlink(tmpAudio).catch(() => undefined);
    await unlink(rawPath).catch(() => undefined);
    meta.status = 'failed';
    meta.audio = null;
    meta.spool = basename(spoolPath);
    meta.failure = err instanceof Error ? err.message : String(err);
    meta.finalizedAt = now().toISOString();
    await writeMetadata(dir, meta);
    return meta;
  }
  await unlink(rawPath).catch(() => undefined);
  if (options.keepSpool !== true) await removeQuietly(spoolPath, dir);
  else meta.spool = basename(spoolPath);
  return meta;
}

/** SHA-256 (hex) of a file, streamed. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

interface Placed {
  /** Per direction, per call slot: byte offset of the frame in the spool, or -1. */
  slots: Record<Direction, Float64Array>;
  caller: number;
  agent: number;
  /** Frames that fell on a paused slot, beyond the end, or collided: never written. */
  discarded: number;
}

/**
 * Puts each frame on the 20 ms slot nearest its call time; a frame whose slot is taken (arrival
 * jitter) moves to the next or previous free slot, else it is discarded. A frame on a paused slot
 * is discarded: the file never carries audio from a paused stretch.
 */
function placeFrames(contents: SpoolContents, layout: PauseLayout): Placed {
  const placed: Placed = {
    slots: {
      caller: new Float64Array(layout.callSlots).fill(-1),
      agent: new Float64Array(layout.callSlots).fill(-1),
    },
    caller: 0,
    agent: 0,
    discarded: 0,
  };
  for (const direction of ['caller', 'agent'] as const) {
    const { times, offsets } = contents.frames[direction];
    const slots = placed.slots[direction];
    for (let i = 0; i < times.length; i++) {
      const s0 = Math.round(times[i]! / FRAME_MS);
      let slot = -1;
      for (const s of [s0, s0 + 1, s0 - 1]) {
        if (s >= 0 && s < layout.callSlots && slots[s] === -1) {
          slot = s;
          break;
        }
      }
      if (slot < 0 || layout.paused[slot] === 1) {
        placed.discarded++;
        continue;
      }
      slots[slot] = offsets[i]!;
      placed[direction]++;
    }
  }
  return placed;
}

/** Reads frames through a 1 MiB window (frames are nearly in file order). */
class WindowReader {
  private readonly window = Buffer.alloc(1 << 20);
  private start = 0;
  private end = 0;

  constructor(private readonly handle: FileHandle) {}

  async frame(offset: number): Promise<Buffer> {
    if (offset < this.start || offset + FRAME_BYTES > this.end) {
      const { bytesRead } = await this.handle.read(this.window, 0, this.window.length, offset);
      this.start = offset;
      this.end = offset + bytesRead;
      if (bytesRead < FRAME_BYTES) throw new Error('spool truncated while finalizing');
    }
    return this.window.subarray(offset - this.start, offset - this.start + FRAME_BYTES);
  }
}

async function writeInterleaved(
  spoolPath: string,
  rawPath: string,
  layout: PauseLayout,
  slots: Record<Direction, Float64Array>,
  behaviour: 'gap' | 'silence',
): Promise<void> {
  const spool = await open(spoolPath, 'r');
  const raw = await open(rawPath, 'w');
  try {
    const reader = new WindowReader(spool);
    const slotBytes = FRAME_SAMPLES * 4;
    const out = Buffer.alloc(slotBytes * 100);
    let used = 0;
    for (let s = 0; s < layout.callSlots; s++) {
      if (layout.paused[s] === 1 && behaviour === 'gap') continue;
      const region = out.subarray(used, used + slotBytes);
      region.fill(0);
      if (layout.paused[s] === 0) {
        for (const [channel, direction] of [
          [0, 'caller'],
          [1, 'agent'],
        ] as const) {
          const offset = slots[direction][s]!;
          if (offset < 0) continue;
          const frame = await reader.frame(offset);
          for (let i = 0; i < FRAME_SAMPLES; i++) {
            region[4 * i + 2 * channel] = frame[2 * i]!;
            region[4 * i + 2 * channel + 1] = frame[2 * i + 1]!;
          }
        }
      }
      used += slotBytes;
      if (used === out.length) {
        await raw.write(out, 0, used);
        used = 0;
      }
    }
    if (used > 0) await raw.write(out, 0, used);
  } finally {
    await spool.close();
    await raw.close();
  }
}

function encode(rawPath: string, outPath: string, outputOptions: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    ffmpeg(rawPath)
      .inputOptions(['-f s16le', `-ar ${SAMPLE_RATE}`, '-ac 2'])
      .outputOptions([
        ...outputOptions,
        '-map_metadata -1',
        '-fflags +bitexact',
        '-flags:a +bitexact',
      ])
      .on('end', () => resolve())
      .on('error', (err: Error) =>
        reject(new HoldgateError('HG_ERR_RECORDING_FINALIZE', err.message, undefined, err)),
      )
      .save(outPath);
  });
}

function consentOutcome(contents: SpoolContents, events: RecorderGateEvent[]): string {
  let outcome: string | undefined;
  for (const { note } of contents.notes) if (note.type === 'consent') outcome = note.outcome;
  if (outcome !== undefined) return outcome;
  if (events.some((e) => e.cause === 'consent-refused' && e.change === 'set')) return 'refused';
  const pending = events.filter((e) => e.cause === 'consent-pending');
  if (pending.at(-1)?.change === 'cleared') return 'granted';
  if (pending.length > 0) return 'pending';
  return 'not-asked';
}

/** The last consent record noted in the spool (issue 6, Build 5), as a metadata field. */
function consentRecord(contents: SpoolContents): { record?: Record<string, unknown> } {
  let record: Record<string, unknown> | undefined;
  for (const { note } of contents.notes)
    if (note.type === 'consent' && note.record !== undefined) record = note.record;
  return record === undefined ? {} : { record };
}

function lastCodec(contents: SpoolContents): string | undefined {
  let codec: string | undefined;
  for (const { note } of contents.notes) if (note.type === 'codec') codec = note.codec;
  return codec;
}

async function removeQuietly(path: string, dir: string): Promise<void> {
  await unlink(path).catch(() => undefined);
  await syncDirectory(dir).catch(() => undefined);
}
