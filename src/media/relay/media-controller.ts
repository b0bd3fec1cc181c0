import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { HoldgateError, isHoldgateError, type ErrorCode } from '../../errors/registry.js';
import type { Logger } from '../../shared/logger.js';
import type {
  CreateSessionRequest,
  DtmfDetectedEvent,
  LatchingMode,
  LegName,
  MediaWorkerConfig,
  PlayResult,
  RemoteEndpoint,
  SessionPorts,
  SessionStats,
  TapDirection,
  WorkerMessage,
  WorkerRequest,
} from './control-protocol.js';
import { TapReader, closeTapRing, createTapRingBuffer } from './tap-ring.js';

export interface MediaControllerOptions {
  /** Lowest RTP port of the whole range (inclusive). */
  readonly portMin: number;
  /** Highest RTP port of the whole range (inclusive). */
  readonly portMax: number;
  /** Worker threads; default max(1, cores − 1). */
  readonly workers?: number;
  /** No RTP in either direction for this long → `mediaTimeout` (ms, default 30000). */
  readonly mediaTimeoutMs?: number;
  /** Resolution of the per-worker timeout wheel (ms, default 1000). */
  readonly tickMs?: number;
  /** Rest of a released port pair before reuse (ms, default 2000). */
  readonly quarantineMs?: number;
  /** Frames each tap ring holds (default 50 = 1 s of audio). */
  readonly tapCapacityFrames?: number;
  /** Kernel receive buffer per socket in bytes (default: OS default). */
  readonly recvBufferSize?: number;
  /** Control requests without an answer fail after this long (ms, default 5000). */
  readonly requestTimeoutMs?: number;
  readonly logger?: Logger;
}

/** Events of the controller. A throwing listener is caught and logged, never unwinds the core. */
export interface MediaControllerEvents {
  /** No RTP in either direction for the media timeout; the call should be torn down. */
  mediaTimeout: (sessionId: string, callId: string) => void;
  /** The session's worker died: its media is gone (taps are closed). */
  sessionLost: (sessionId: string, callId: string, reason: string) => void;
  /** A worker failed (it is replaced). */
  workerError: (workerIndex: number, error: Error) => void;
  /**
   * A DTMF key press on a leg watched with {@link MediaController.detectDtmf} (issue 6). Also
   * fires for presses flushed when detection stops or the session is destroyed, so the session
   * may already be gone.
   */
  dtmf: (event: DtmfDetectedEvent) => void;
}

interface Pending {
  readonly resolve: (value: unknown) => void;
  readonly reject: (err: Error) => void;
  readonly timer: NodeJS.Timeout | undefined;
}

interface WorkerSlot {
  readonly index: number;
  readonly config: MediaWorkerConfig;
  worker: Worker;
  ready: Promise<void>;
  /** The current worker reported ready (a worker dying before that is respawned after 1 s). */
  started: boolean;
  readonly sessions: Set<string>;
  readonly pending: Map<number, Pending>;
}

interface SessionInfo {
  readonly slot: WorkerSlot;
  readonly callId: string;
  readonly taps: SharedArrayBuffer[];
}

/**
 * How to start a media worker. Compiled (dist/) it is the sibling `media-worker.js`. When this
 * module runs as TypeScript (vitest, `node --import tsx`), the worker needs the tsx loader;
 * `execArgv: ['--import', 'tsx']` does not work for workers on Node 20 (the loader hooks are
 * not applied in the worker: ERR_UNKNOWN_FILE_EXTENSION), so a tiny eval bootstrap loads the
 * .ts entry through tsx's `tsImport` API instead.
 */
function workerEntry(): { script: URL | string; eval: boolean } {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return { script: new URL('./media-worker.js', here), eval: false };
  const entry = new URL('./media-worker.ts', here).href;
  // The ESM build of tsx's API (its exports map: `./esm/api` import → dist/esm/api/index.mjs).
  const tsxRoot = dirname(createRequire(here).resolve('tsx/package.json'));
  const api = pathToFileURL(join(tsxRoot, 'dist/esm/api/index.mjs')).href;
  const script =
    `import(${JSON.stringify(api)})` +
    `.then((m) => m.tsImport(${JSON.stringify(entry)}, ${JSON.stringify(here)}))`;
  return { script, eval: true };
}

/**
 * The main thread's handle on the media plane. Talks to the media workers only by messages:
 * each worker owns a disjoint slice of the RTP port range; sessions go to the least loaded
 * worker. A crashed worker's sessions are reported lost and a new worker takes its slice.
 */
export class MediaController {
  private readonly slots: WorkerSlot[] = [];
  private readonly sessions = new Map<string, SessionInfo>();
  private readonly listeners: {
    [K in keyof MediaControllerEvents]: Set<MediaControllerEvents[K]>;
  } = {
    mediaTimeout: new Set(),
    sessionLost: new Set(),
    workerError: new Set(),
    dtmf: new Set(),
  };
  private nextId = 1;
  private closed = false;
  private readonly tapCapacity: number;
  private readonly requestTimeoutMs: number;
  private readonly logger: Logger | undefined;

  private constructor(options: MediaControllerOptions) {
    this.tapCapacity = options.tapCapacityFrames ?? 50;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 5000;
    this.logger = options.logger;
    const count = options.workers ?? Math.max(1, availableParallelism() - 1);
    const min = options.portMin + (options.portMin % 2);
    const pairs = Math.floor((options.portMax - min + 1) / 2);
    const perWorker = Math.floor(pairs / count);
    if (count < 1 || perWorker < 1) {
      throw new HoldgateError('HG_ERR_CONFIG_INVALID', 'RTP port range too small for the workers');
    }
    for (let i = 0; i < count; i++) {
      const portMin = min + i * perWorker * 2;
      const config: MediaWorkerConfig = {
        workerIndex: i,
        portMin,
        portMax: portMin + perWorker * 2 - 1,
        mediaTimeoutMs: options.mediaTimeoutMs ?? 30_000,
        tickMs: options.tickMs ?? 1000,
        quarantineMs: options.quarantineMs ?? 2000,
        ...(options.recvBufferSize !== undefined ? { recvBufferSize: options.recvBufferSize } : {}),
      };
      const slot: WorkerSlot = {
        index: i,
        config,
        worker: undefined as unknown as Worker,
        ready: Promise.resolve(),
        started: false,
        sessions: new Set(),
        pending: new Map(),
      };
      this.spawn(slot);
      this.slots.push(slot);
    }
  }

  /** Starts the workers and waits until each is ready. */
  static async start(options: MediaControllerOptions): Promise<MediaController> {
    const controller = new MediaController(options);
    await Promise.all(controller.slots.map((s) => s.ready));
    return controller;
  }

  get workerCount(): number {
    return this.slots.length;
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  /** Thread ids of the live workers (for CPU accounting). */
  get workerThreadIds(): number[] {
    return this.slots.map((s) => s.worker.threadId);
  }

  on<K extends keyof MediaControllerEvents>(event: K, listener: MediaControllerEvents[K]): this {
    this.listeners[event].add(listener);
    return this;
  }

  off<K extends keyof MediaControllerEvents>(event: K, listener: MediaControllerEvents[K]): this {
    this.listeners[event].delete(listener);
    return this;
  }

  /** Allocates an RTP/RTCP pair per leg on the least loaded worker. */
  async createSession(req: CreateSessionRequest): Promise<SessionPorts> {
    const slot = this.leastLoaded();
    const sessionId = randomUUID();
    const info: SessionInfo = { slot, callId: req.callId, taps: [] };
    this.sessions.set(sessionId, info);
    slot.sessions.add(sessionId);
    try {
      const ports = (await this.request(slot, { op: 'create', sessionId, req })) as Omit<
        SessionPorts,
        'sessionId'
      >;
      return { sessionId, caller: ports.caller, pbx: ports.pbx };
    } catch (err) {
      this.forget(sessionId);
      throw err;
    }
  }

  /** Applies the remote SDP of one leg (address, ports, rtcp-mux, payload types). */
  async setRemote(sessionId: string, leg: LegName, remote: RemoteEndpoint): Promise<void> {
    await this.request(this.slotOf(sessionId), { op: 'setRemote', sessionId, leg, remote });
  }

  async setLatching(sessionId: string, mode: LatchingMode): Promise<void> {
    await this.request(this.slotOf(sessionId), { op: 'setLatching', sessionId, mode });
  }

  async setContinuityRewrite(sessionId: string, on: boolean): Promise<void> {
    await this.request(this.slotOf(sessionId), { op: 'setContinuityRewrite', sessionId, on });
  }

  /**
   * Issue 6: detects DTMF (RFC 4733 telephone-events and in-band G.711 tones) in the RTP that
   * `leg`'s peer sends, normally the caller's. Each press is one `dtmf` event; switching off
   * reports presses still pending. Works before the other leg has a remote and while prompts
   * play. Idempotent.
   */
  async detectDtmf(sessionId: string, leg: LegName, on: boolean): Promise<void> {
    await this.request(this.slotOf(sessionId), { op: 'detectDtmf', sessionId, leg, on });
  }

  async stats(sessionId: string): Promise<SessionStats> {
    return (await this.request(this.slotOf(sessionId), { op: 'stats', sessionId })) as SessionStats;
  }

  /** Releases the session's ports and closes its taps. Idempotent; unknown ids are fine. */
  async destroySession(sessionId: string): Promise<void> {
    const info = this.sessions.get(sessionId);
    if (!info) return;
    this.forget(sessionId);
    try {
      await this.request(info.slot, { op: 'destroy', sessionId });
    } catch (err) {
      // The worker died meanwhile: its sockets are gone with it.
      if (!isHoldgateError(err) || err.code !== 'HG_ERR_MEDIA_WORKER') throw err;
    }
  }

  /**
   * Opens a tap on one direction: decoded 20 ms PCM16 frames through a bounded shared ring.
   * A second open on the same direction replaces the first reader's ring.
   */
  async openTap(sessionId: string, direction: TapDirection): Promise<TapReader> {
    const info = this.sessions.get(sessionId);
    if (!info) throw new HoldgateError('HG_ERR_MEDIA_WORKER', `unknown session ${sessionId}`);
    const ring = createTapRingBuffer(this.tapCapacity);
    await this.request(info.slot, { op: 'openTap', sessionId, direction, ring });
    info.taps.push(ring);
    return new TapReader(ring);
  }

  /**
   * Plays G.711 payloads (one per packet, e.g. 160 bytes = 20 ms) toward `leg`, replacing the
   * other party's audio while it plays. Resolves when done or interrupted.
   */
  async playToLeg(
    sessionId: string,
    leg: LegName,
    payloads: readonly Uint8Array[],
    options: { payloadType?: number } = {},
  ): Promise<PlayResult> {
    // Copy into compact buffers: cloning a view of a pooled Buffer would clone the whole pool.
    const compact = payloads.map((p) => new Uint8Array(p));
    const slot = this.slotOf(sessionId);
    return (await this.request(
      slot,
      { op: 'play', sessionId, leg, payloads: compact, payloadType: options.payloadType ?? 0 },
      0,
    )) as PlayResult;
  }

  /** Stops every worker. Sessions are dropped without events. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    for (const slot of this.slots) this.failPending(slot, 'media controller closed');
    for (const info of this.sessions.values()) for (const t of info.taps) closeTapRing(t);
    this.sessions.clear();
  }

  /** Test hook: makes worker `index` throw an uncaught exception. */
  crashWorkerForTest(index: number): void {
    const slot = this.slots[index];
    if (slot) slot.worker.postMessage({ id: 0, op: 'crash' } satisfies WorkerRequest);
  }

  private spawn(slot: WorkerSlot): void {
    const entry = workerEntry();
    slot.started = false;
    const worker = new Worker(entry.script, {
      eval: entry.eval,
      workerData: slot.config,
      name: `holdgate-media-${slot.index}`,
    });
    slot.worker = worker;
    slot.ready = new Promise<void>((resolve, reject) => {
      const onMessage = (msg: WorkerMessage): void => {
        if (msg.kind === 'ready') {
          worker.off('error', onEarlyError);
          slot.started = true;
          resolve();
        }
      };
      const onEarlyError = (err: Error): void => {
        reject(new HoldgateError('HG_ERR_MEDIA_WORKER', 'worker failed to start', {}, err));
      };
      worker.on('message', onMessage);
      worker.once('error', onEarlyError);
    });
    slot.ready.catch(() => undefined);
    worker.on('message', (msg: WorkerMessage) => {
      this.onWorkerMessage(slot, msg);
    });
    worker.on('error', (err: Error) => {
      this.logger?.error({ err, workerIndex: slot.index }, 'media worker error');
      this.emit('workerError', slot.index, err);
    });
    worker.on('exit', (code: number) => {
      if (slot.worker !== worker || this.closed) return;
      this.onWorkerExit(slot, code);
    });
  }

  private onWorkerMessage(slot: WorkerSlot, msg: WorkerMessage): void {
    switch (msg.kind) {
      case 'reply': {
        const pending = slot.pending.get(msg.id);
        if (!pending) return;
        slot.pending.delete(msg.id);
        if (pending.timer) clearTimeout(pending.timer);
        if (msg.ok) pending.resolve(msg.value);
        else pending.reject(new HoldgateError(asErrorCode(msg.code), msg.message));
        return;
      }
      case 'mediaTimeout': {
        const info = this.sessions.get(msg.sessionId);
        if (info) this.emit('mediaTimeout', msg.sessionId, info.callId);
        return;
      }
      case 'dtmf':
        this.emit('dtmf', {
          sessionId: msg.sessionId,
          leg: msg.leg,
          digit: msg.digit,
          source: msg.source,
          durationMs: msg.durationMs,
          atMs: msg.atMs,
        });
        return;
      case 'ready':
        return;
    }
  }

  private onWorkerExit(slot: WorkerSlot, code: number): void {
    const reason = `media worker ${slot.index} exited with code ${code}`;
    this.logger?.warn(
      { workerIndex: slot.index, code, sessions: slot.sessions.size },
      'media worker lost',
    );
    this.failPending(slot, reason);
    const lost = [...slot.sessions];
    for (const sessionId of lost) {
      const info = this.sessions.get(sessionId);
      this.forget(sessionId);
      if (info) this.emit('sessionLost', sessionId, info.callId, reason);
    }
    if (slot.started) {
      this.spawn(slot);
      return;
    }
    // Died before it was ready: do not spin; try again shortly.
    setTimeout(() => {
      if (!this.closed) this.spawn(slot);
    }, 1000).unref();
  }

  private failPending(slot: WorkerSlot, reason: string): void {
    for (const pending of slot.pending.values()) {
      if (pending.timer) clearTimeout(pending.timer);
      pending.reject(new HoldgateError('HG_ERR_MEDIA_WORKER', reason));
    }
    slot.pending.clear();
  }

  private forget(sessionId: string): void {
    const info = this.sessions.get(sessionId);
    if (!info) return;
    this.sessions.delete(sessionId);
    info.slot.sessions.delete(sessionId);
    for (const t of info.taps) closeTapRing(t);
  }

  private leastLoaded(): WorkerSlot {
    if (this.closed) throw new HoldgateError('HG_ERR_MEDIA_WORKER', 'media controller closed');
    let best = this.slots[0]!;
    for (const slot of this.slots) if (slot.sessions.size < best.sessions.size) best = slot;
    return best;
  }

  private slotOf(sessionId: string): WorkerSlot {
    const info = this.sessions.get(sessionId);
    if (!info) throw new HoldgateError('HG_ERR_MEDIA_WORKER', `unknown session ${sessionId}`);
    return info.slot;
  }

  /** Sends a request; `timeoutMs` 0 waits as long as it takes (prompt playback). */
  private async request(
    slot: WorkerSlot,
    body: DistributiveOmit<WorkerRequest, 'id'>,
    timeoutMs = this.requestTimeoutMs,
  ): Promise<unknown> {
    await slot.ready;
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer =
        timeoutMs > 0
          ? setTimeout(() => {
              slot.pending.delete(id);
              reject(new HoldgateError('HG_ERR_MEDIA_WORKER', `no answer to ${body.op}`));
            }, timeoutMs)
          : undefined;
      slot.pending.set(id, { resolve, reject, timer });
      slot.worker.postMessage({ ...body, id });
    });
  }

  private emit<K extends keyof MediaControllerEvents>(
    event: K,
    ...args: Parameters<MediaControllerEvents[K]>
  ): void {
    for (const listener of this.listeners[event]) {
      try {
        (listener as (...a: Parameters<MediaControllerEvents[K]>) => void)(...args);
      } catch (err) {
        this.logger?.error({ err, event }, 'media controller listener threw');
      }
    }
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

function asErrorCode(code: string): ErrorCode {
  return code === 'HG_ERR_MEDIA_PORTS_EXHAUSTED' ? code : 'HG_ERR_MEDIA_WORKER';
}
