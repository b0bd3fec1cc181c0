/**
 * How a recording's file maps to call time, from the gate's events: the call is cut into 20 ms
 * slots from call time 0 to the end; a slot is paused when the gate was paused at its start.
 * - `gap`: paused slots are cut out; each segment maps a stretch of the file to call time.
 * - `silence`: paused slots become digital silence, so file time = call time; the segments
 *   cover the whole file and mark the silence stretches (`kind: 'silence'`).
 */
import { FRAME_MS, type PauseBehaviour, type RecorderGateEvent } from './spool-format.js';

/** `{ fileStart, callStart, duration }` in seconds (the metadata's `segments`). */
export interface Segment {
  fileStart: number;
  callStart: number;
  duration: number;
  kind: 'audio' | 'silence';
}

export interface HoldIntervalRecord {
  start: number;
  end: number;
  cause: string;
}

export interface PauseLayout {
  /** Slots of call time covered: [0, callSlots × 20 ms). */
  callSlots: number;
  /** 1 where the gate was paused at the slot's start. */
  paused: Uint8Array;
  /** Slots written to the file. */
  fileSlots: number;
  segments: Segment[];
}

const ms = (seconds: number): number => Math.round(seconds * 1000);
const sec = (millis: number): number => millis / 1000;

/** Lays out a call of `endMs` under `behaviour`; before the first event the gate is open. */
export function pauseLayout(
  events: readonly RecorderGateEvent[],
  endMs: number,
  behaviour: PauseBehaviour,
): PauseLayout {
  const callSlots = Math.max(0, Math.ceil(endMs / FRAME_MS));
  const paused = new Uint8Array(callSlots);
  let next = 0;
  let state: RecorderGateEvent['state'] = 'recording';
  for (let s = 0; s < callSlots; s++) {
    const slotMs = s * FRAME_MS;
    while (next < events.length && ms(events[next]!.t) <= slotMs) state = events[next++]!.state;
    paused[s] = state === 'paused' ? 1 : 0;
  }
  const segments: Segment[] = [];
  let fileSlot = 0;
  let s = 0;
  while (s < callSlots) {
    const p = paused[s]!;
    let e = s;
    while (e < callSlots && paused[e] === p) e++;
    const n = e - s;
    if (p === 0 || behaviour === 'silence') {
      segments.push({
        fileStart: sec(fileSlot * FRAME_MS),
        callStart: sec(s * FRAME_MS),
        duration: sec(n * FRAME_MS),
        kind: p === 0 ? 'audio' : 'silence',
      });
      fileSlot += n;
    }
    s = e;
  }
  return { callSlots, paused, fileSlots: fileSlot, segments };
}

/**
 * Per-cause intervals from `set`/`cleared` events; a cause still active at the end closes at
 * `endMs`. Ordered by start.
 */
export function holdIntervalsFromEvents(
  events: readonly RecorderGateEvent[],
  endMs: number,
): HoldIntervalRecord[] {
  const open = new Map<string, number>();
  const out: HoldIntervalRecord[] = [];
  for (const e of events) {
    if (e.change === 'set' && !open.has(e.cause)) open.set(e.cause, e.t);
    if (e.change === 'cleared') {
      const start = open.get(e.cause);
      if (start !== undefined) out.push({ start, end: e.t, cause: e.cause });
      open.delete(e.cause);
    }
  }
  for (const [cause, start] of open) out.push({ start, end: Math.max(start, sec(endMs)), cause });
  return out.sort((a, b) => a.start - b.start || a.end - b.end);
}
