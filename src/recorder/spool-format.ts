/**
 * The spool: the on-disk system of record of a recording in progress (with the metadata JSON).
 * Append-only, little-endian, self-describing, readable after a crash up to the last complete
 * record (a torn tail is ignored).
 *
 * ```
 * header   "HGSPOOL1" (8 bytes) | u32 headerLength | headerLength bytes of UTF-8 JSON (SpoolHeader)
 * record   u8 kind | u32 callTimeMs | payload
 *   kind 0  caller frame   payload: 160 × int16 (20 ms of 8 kHz PCM16 mono, 320 bytes)
 *   kind 1  agent frame    payload: 160 × int16
 *   kind 2  note           payload: u16 length | UTF-8 JSON (SpoolNote: gate event, consent, codec)
 *   kind 3  end            no payload: the call ended at callTimeMs
 * ```
 * Frames are the delay line's released (recordable) frames, tagged with their call time
 * (ms since the caller's INVITE arrived); paused audio never reaches the spool.
 */
import { open } from 'node:fs/promises';

export const SPOOL_MAGIC = 'HGSPOOL1';
export const SPOOL_EXTENSION = '.spool';
export const FRAME_SAMPLES = 160;
export const FRAME_MS = 20;
export const SAMPLE_RATE = 8000;
export const FRAME_BYTES = FRAME_SAMPLES * 2;
export const RECORD_HEAD_BYTES = 5;

export const RecordKind = { Caller: 0, Agent: 1, Note: 2, End: 3 } as const;
export type RecordKind = (typeof RecordKind)[keyof typeof RecordKind];

export type Direction = 'caller' | 'agent';
export type AudioFormat = 'wav' | 'flac' | 'opus' | 'mp3';
export type PauseBehaviour = 'gap' | 'silence';

/** What the recorder knows about the call when it starts; copied into the metadata. */
export interface SpoolHeader {
  version: 1;
  id: string;
  callId: string;
  queue: string;
  from: string;
  to: string;
  /** ISO timestamp of call time 0 (arrival of the caller's INVITE). */
  startedAt: string;
  format: AudioFormat;
  pauseBehaviour: PauseBehaviour;
  delayMs: number;
  consentPolicy: string;
  /** Source codec of the call (e.g. PCMU). */
  codec: string;
  retainUntil: string;
}

/** A gate event as the recorder sees it (structurally the gate's `GateEvent`). */
export interface RecorderGateEvent {
  t: number;
  state: 'recording' | 'paused';
  cause: string;
  change?: 'set' | 'cleared';
  causes?: string[];
  reason?: string;
}

export type SpoolNote =
  | { type: 'gate'; event: RecorderGateEvent }
  | { type: 'consent'; outcome: string; record?: Record<string, unknown> }
  | { type: 'codec'; codec: string }
  /** Call time reached while nothing is recorded (paused), so a crash still knows the end. */
  | { type: 'clock' };

export function encodeHeader(header: SpoolHeader): Buffer {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const out = Buffer.alloc(12 + json.length);
  out.write(SPOOL_MAGIC, 0, 'latin1');
  out.writeUInt32LE(json.length, 8);
  json.copy(out, 12);
  return out;
}

/** Everything a spool holds, with frame positions (not samples) for a streaming finalize. */
export interface SpoolContents {
  header: SpoolHeader;
  /** Per direction: call times (ms) and byte offsets of the frames' samples, in file order. */
  frames: Record<Direction, { times: number[]; offsets: number[] }>;
  notes: { tMs: number; note: SpoolNote }[];
  /** Call time of the end record, if the call ended cleanly. */
  endMs: number | undefined;
  /** Call time just after the last frame or note (the end of a crashed call). */
  lastMs: number;
  /** Bytes of complete records (a torn tail beyond is ignored). */
  validBytes: number;
}

/** Scans a spool file (streaming, 1 MiB at a time). Throws on a bad header. */
export async function readSpool(path: string): Promise<SpoolContents> {
  const handle = await open(path, 'r');
  try {
    const size = (await handle.stat()).size;
    const head = Buffer.alloc(12);
    await handle.read(head, 0, 12, 0);
    if (size < 12 || head.toString('latin1', 0, 8) !== SPOOL_MAGIC) {
      throw new Error(`not a holdgate spool: ${path}`);
    }
    const headerLength = head.readUInt32LE(8);
    const headerBuf = Buffer.alloc(headerLength);
    await handle.read(headerBuf, 0, headerLength, 12);
    const header = JSON.parse(headerBuf.toString('utf8')) as SpoolHeader;
    const contents: SpoolContents = {
      header,
      frames: { caller: { times: [], offsets: [] }, agent: { times: [], offsets: [] } },
      notes: [],
      endMs: undefined,
      lastMs: 0,
      validBytes: 12 + headerLength,
    };
    const chunk = Buffer.alloc(1 << 20);
    let position = contents.validBytes;
    for (;;) {
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, position);
      if (bytesRead === 0) break;
      let off = 0;
      while (off + RECORD_HEAD_BYTES <= bytesRead) {
        const kind = chunk[off]!;
        const tMs = chunk.readUInt32LE(off + 1);
        let length: number;
        if (kind === RecordKind.Caller || kind === RecordKind.Agent) length = FRAME_BYTES;
        else if (kind === RecordKind.Note) {
          if (off + RECORD_HEAD_BYTES + 2 > bytesRead) break;
          length = 2 + chunk.readUInt16LE(off + RECORD_HEAD_BYTES);
        } else if (kind === RecordKind.End) length = 0;
        else {
          position = size; // corrupt: stop at the last good record
          off = 0;
          break;
        }
        if (off + RECORD_HEAD_BYTES + length > bytesRead) break;
        const payload = position + off + RECORD_HEAD_BYTES;
        if (kind === RecordKind.Caller || kind === RecordKind.Agent) {
          const f = contents.frames[kind === RecordKind.Caller ? 'caller' : 'agent'];
          f.times.push(tMs);
          f.offsets.push(payload);
          contents.lastMs = Math.max(contents.lastMs, tMs + FRAME_MS);
        } else if (kind === RecordKind.Note) {
          const start = off + RECORD_HEAD_BYTES + 2;
          try {
            const note = JSON.parse(chunk.toString('utf8', start, start + length - 2)) as SpoolNote;
            contents.notes.push({ tMs, note });
            contents.lastMs = Math.max(contents.lastMs, tMs);
          } catch {
            // a note torn mid-write cannot be complete (length precedes it); ignore garbage
          }
        } else {
          contents.endMs = tMs;
        }
        off += RECORD_HEAD_BYTES + length;
      }
      if (off === 0) break; // no complete record in this chunk: torn tail
      position += off;
      contents.validBytes = position;
    }
    return contents;
  } finally {
    await handle.close();
  }
}
