import { HoldgateError, isHoldgateError } from '../../errors/registry.js';
import type {
  LegName,
  LegPorts,
  MediaWorkerConfig,
  PlayResult,
  WorkerMessage,
  WorkerRequest,
} from './control-protocol.js';
import { DtmfWatch } from './dtmf-watch.js';
import { PortPool, type PortPair } from './port-pool.js';
import { PromptPlayer } from './prompt-player.js';
import { RelaySession } from './relay-session.js';
import { TimeoutWheel } from './timeout-wheel.js';

interface SessionEntry {
  readonly session: RelaySession;
  readonly callerPair: PortPair;
  readonly pbxPair: PortPair;
  readonly callerPool: PortPool;
  readonly pbxPool: PortPool;
  readonly players: Map<string, PromptPlayer>;
  readonly dtmf: Map<LegName, DtmfWatch>;
}

/**
 * A watched stream with a press pending is flushed after this much silence (and at least two
 * ticks). An RFC 4733 sender repeats event packets every packetization interval during a press
 * (§2.5.1.2, typically 20–50 ms), so 300 ms without one means the end packets were lost.
 */
const DTMF_IDLE_MS = 300;

function ports(pair: PortPair): LegPorts {
  return { address: pair.address, rtpPort: pair.rtpPort, rtcpPort: pair.rtcpPort };
}

/**
 * Everything a media worker does, independent of the thread plumbing: one port pool per local
 * address over this worker's slice of the port range, the relay sessions, and one coarse
 * timeout wheel for media timeouts. `media-worker.ts` wires it to `parentPort`.
 */
export class WorkerRuntime {
  private readonly pools = new Map<string, PortPool>();
  private readonly sessions = new Map<string, SessionEntry>();
  private readonly wheel: TimeoutWheel<RelaySession>;
  /** Every active DTMF watch, flushed when idle on the wheel's tick. */
  private readonly dtmfWatches = new Set<DtmfWatch>();
  private readonly dtmfIdleTicks: number;

  constructor(
    private readonly config: MediaWorkerConfig,
    private readonly emit: (message: WorkerMessage) => void,
  ) {
    this.wheel = new TimeoutWheel<RelaySession>(config.tickMs, (session) => {
      this.emit({ kind: 'mediaTimeout', sessionId: session.id });
    });
    this.dtmfIdleTicks = Math.max(2, Math.ceil(DTMF_IDLE_MS / config.tickMs));
    this.wheel.onTick = () => {
      for (const watch of this.dtmfWatches) watch.tick(this.wheel.now);
    };
    this.wheel.start();
  }

  /** Runs one request and posts its reply (errors become `ok: false` replies). */
  async dispatch(req: WorkerRequest): Promise<void> {
    try {
      const value = await this.handle(req);
      this.emit({ kind: 'reply', id: req.id, ok: true, value });
    } catch (err) {
      const code = isHoldgateError(err) ? err.code : 'HG_ERR_MEDIA_WORKER';
      const message = err instanceof Error ? err.message : String(err);
      this.emit({ kind: 'reply', id: req.id, ok: false, code, message });
    }
  }

  async handle(req: WorkerRequest): Promise<unknown> {
    switch (req.op) {
      case 'create':
        return this.create(req.sessionId, req.req.callId, req.req.legs, req.req.mediaTimeoutMs);
      case 'setRemote':
        this.get(req.sessionId).session.setRemote(req.leg, req.remote);
        return null;
      case 'setLatching':
        this.get(req.sessionId).session.latching = req.mode;
        return null;
      case 'setContinuityRewrite': {
        const s = this.get(req.sessionId).session;
        s.callerToPbx.rewriter.setEnabled(req.on);
        s.pbxToCaller.rewriter.setEnabled(req.on);
        return null;
      }
      case 'stats':
        return this.get(req.sessionId).session.stats();
      case 'destroy':
        this.destroy(req.sessionId);
        return null;
      case 'openTap':
        this.get(req.sessionId).session.openTap(req.direction, req.ring);
        return null;
      case 'play':
        return this.play(req.sessionId, req.leg, req.payloads, req.payloadType);
      case 'detectDtmf':
        this.detectDtmf(req.sessionId, req.leg, req.on);
        return null;
      case 'crash':
        setImmediate(() => {
          throw new Error('media worker crash requested');
        });
        return null;
    }
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  /** Destroys every session and closes every socket. */
  close(): void {
    for (const id of [...this.sessions.keys()]) this.destroy(id);
    for (const pool of this.pools.values()) pool.close();
    this.pools.clear();
    this.wheel.stop();
  }

  private pool(address: string): PortPool {
    let pool = this.pools.get(address);
    if (!pool) {
      pool = new PortPool({
        address,
        minPort: this.config.portMin,
        maxPort: this.config.portMax,
        quarantineMs: this.config.quarantineMs,
        ...(this.config.recvBufferSize !== undefined
          ? { recvBufferSize: this.config.recvBufferSize }
          : {}),
      });
      this.pools.set(address, pool);
    }
    return pool;
  }

  private async create(
    sessionId: string,
    callId: string,
    legs: { caller: { localAddress: string }; pbx: { localAddress: string } },
    mediaTimeoutMs: number | undefined,
  ): Promise<{ caller: LegPorts; pbx: LegPorts }> {
    if (this.sessions.has(sessionId)) {
      throw new HoldgateError('HG_ERR_MEDIA_WORKER', `session ${sessionId} exists`);
    }
    const callerPool = this.pool(legs.caller.localAddress);
    const pbxPool = this.pool(legs.pbx.localAddress);
    const callerPair = await callerPool.acquire();
    let pbxPair: PortPair;
    try {
      pbxPair = await pbxPool.acquire();
    } catch (err) {
      callerPool.release(callerPair);
      throw err;
    }
    const timeoutTicks = Math.max(
      1,
      Math.ceil((mediaTimeoutMs ?? this.config.mediaTimeoutMs) / this.config.tickMs),
    );
    const session = new RelaySession(
      sessionId,
      callId,
      callerPair,
      pbxPair,
      this.wheel,
      timeoutTicks,
    );
    this.sessions.set(sessionId, {
      session,
      callerPair,
      pbxPair,
      callerPool,
      pbxPool,
      players: new Map(),
      dtmf: new Map(),
    });
    return { caller: ports(callerPair), pbx: ports(pbxPair) };
  }

  private async play(
    sessionId: string,
    leg: 'caller' | 'pbx',
    payloads: readonly Uint8Array[],
    payloadType: number,
  ): Promise<PlayResult> {
    const entry = this.get(sessionId);
    entry.players.get(leg)?.stop();
    const player = new PromptPlayer(entry.session.directionToward(leg), payloads, payloadType);
    entry.players.set(leg, player);
    const result = await player.play();
    if (entry.players.get(leg) === player) entry.players.delete(leg);
    return result;
  }

  /**
   * Issue 6: starts or stops DTMF detection on the RTP `leg`'s peer sends. Idempotent; stopping
   * reports what is pending first. Each press becomes a `dtmf` message.
   */
  private detectDtmf(sessionId: string, leg: LegName, on: boolean): void {
    const entry = this.get(sessionId);
    const current = entry.dtmf.get(leg);
    if (on) {
      if (current) return;
      const watch = new DtmfWatch((digit, source, durationMs, atMs) => {
        this.emit({ kind: 'dtmf', sessionId, leg, digit, source, durationMs, atMs });
      }, this.dtmfIdleTicks);
      entry.dtmf.set(leg, watch);
      this.dtmfWatches.add(watch);
      entry.session.setDtmfWatch(leg, watch);
    } else if (current) {
      entry.session.setDtmfWatch(leg, null);
      entry.dtmf.delete(leg);
      this.dtmfWatches.delete(current);
    }
  }

  private destroy(sessionId: string): void {
    const entry = this.sessions.get(sessionId);
    if (!entry) return; // idempotent
    this.sessions.delete(sessionId);
    for (const player of entry.players.values()) player.stop();
    for (const watch of entry.dtmf.values()) this.dtmfWatches.delete(watch);
    entry.session.destroy(); // flushes the DTMF watches
    entry.callerPool.release(entry.callerPair);
    entry.pbxPool.release(entry.pbxPair);
  }

  private get(sessionId: string): SessionEntry {
    const entry = this.sessions.get(sessionId);
    if (!entry) throw new HoldgateError('HG_ERR_MEDIA_WORKER', `unknown session ${sessionId}`);
    return entry;
  }
}
