/**
 * `CallControl` across the holdgate instances sharing a store (issue 7, scale out): the local
 * instance's calls plus those every other instance publishes to the `LiveCallRegistry`. A
 * command for a call owned elsewhere is sent to its owner, which alone can act on it ("one
 * instance must never be needed to finish another's call", so nothing here touches remote media).
 *
 * `CallControl` is synchronous, so the remote list is a copy refreshed by `refresh()` (the
 * composition root calls it every ~2 s; it also publishes the local list): a remote call can
 * appear or vanish up to one refresh late.
 */
import type { Logger } from '../shared/logger.js';
import type { LiveCallCommand, LiveCallEntry, LiveCallRegistry } from '../store/index.js';
import type { CallControl, CallDetail, CallSummary } from './call-control.js';

export interface SharedCallControlOptions {
  /** This instance's own calls. */
  readonly local: CallControl;
  readonly registry: LiveCallRegistry;
  readonly logger?: Logger | undefined;
}

export class SharedCallControl implements CallControl {
  readonly #local: CallControl;
  readonly #registry: LiveCallRegistry;
  readonly #logger: Logger | undefined;
  #instanceId: string | undefined;
  #unsubscribe: (() => Promise<void>) | undefined;
  /** Other instances' calls as of the last refresh. */
  #remote: LiveCallEntry[] = [];
  #refreshing: Promise<void> | undefined;
  #closed = false;

  constructor(options: SharedCallControlOptions) {
    this.#local = options.local;
    this.#registry = options.registry;
    this.#logger = options.logger;
  }

  /** Subscribes to commands sent to `instanceId` and executes them on the local control. */
  async start(instanceId: string): Promise<void> {
    if (this.#instanceId !== undefined) throw new Error('SharedCallControl already started');
    this.#instanceId = instanceId;
    this.#unsubscribe = await this.#registry.onCommand(instanceId, (c) => {
      this.#execute(c);
    });
  }

  /**
   * Publishes the local calls, then re-reads the other instances' calls. Concurrent calls share
   * one run. Rejects when the registry fails (the previous remote copy is kept).
   */
  refresh(): Promise<void> {
    this.#refreshing ??= this.#refresh().finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  /** Unsubscribes and withdraws this instance's calls from the registry. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#refreshing?.catch(() => undefined);
    const unsubscribe = this.#unsubscribe;
    this.#unsubscribe = undefined;
    await unsubscribe?.();
    if (this.#instanceId !== undefined) await this.#registry.withdraw(this.#instanceId);
    this.#remote = [];
  }

  /** The instance owning `id` (this one's id for a local call), or undefined. */
  ownerOf(id: string): string | undefined {
    if (this.#isLocal(id)) return this.#instanceId;
    return this.#remoteCall(id)?.instanceId;
  }

  list(): CallSummary[] {
    const local = this.#local.list();
    const ids = new Set(local.map((c) => c.id));
    const remote = this.#remote.filter((c) => !ids.has(c.id)).map(toSummary);
    return [...local, ...remote];
  }

  get(id: string): CallDetail | undefined {
    const local = this.#local.get(id);
    if (local) return local;
    const remote = this.#remoteCall(id);
    if (!remote) return undefined;
    return {
      ...toSummary(remote),
      legs: { caller: { sipCallId: '', dialog: 'none' }, pbx: { dialog: 'none' } },
      onHold: remote.pauseCauses.some((c) => c.startsWith('sdp-hold')),
      gateEvents: [],
    };
  }

  pauseRecording(id: string, reason: string): boolean {
    if (this.#isLocal(id)) return this.#local.pauseRecording(id, reason);
    const remote = this.#remoteCall(id);
    if (!remote || remote.recording === 'not-recorded') return false;
    return this.#send(remote.instanceId, { op: 'pause', callId: id, reason });
  }

  resumeRecording(id: string): boolean {
    if (this.#isLocal(id)) return this.#local.resumeRecording(id);
    const remote = this.#remoteCall(id);
    if (!remote || remote.recording === 'not-recorded') return false;
    return this.#send(remote.instanceId, { op: 'resume', callId: id });
  }

  hangUp(id: string, reason: string): boolean {
    if (this.#isLocal(id)) return this.#local.hangUp(id, reason);
    const remote = this.#remoteCall(id);
    if (!remote) return false;
    return this.#send(remote.instanceId, { op: 'hangup', callId: id, reason });
  }

  async #refresh(): Promise<void> {
    const self = this.#instanceId;
    if (self === undefined) throw new Error('SharedCallControl.refresh() before start()');
    if (this.#closed) return;
    await this.#registry.publish(self, this.#local.list());
    const all = await this.#registry.list();
    this.#remote = all.filter((c) => c.instanceId !== self);
  }

  #isLocal(id: string): boolean {
    return this.#local.get(id) !== undefined;
  }

  #remoteCall(id: string): LiveCallEntry | undefined {
    return this.#remote.find((c) => c.id === id);
  }

  /** Fire and forget: `CallControl` is synchronous; a lost command is logged. */
  #send(instanceId: string, command: LiveCallCommand): true {
    this.#registry.sendCommand(instanceId, command).then(
      (delivered) => {
        if (!delivered) {
          this.#logger?.warn(
            { instanceId, callId: command.callId, op: command.op },
            'command not delivered',
          );
        }
      },
      (err: unknown) => {
        this.#logger?.warn(
          { err, instanceId, callId: command.callId, op: command.op },
          'command not sent',
        );
      },
    );
    return true;
  }

  #execute(command: LiveCallCommand): void {
    const reason = command.reason ?? 'remote';
    let done: boolean;
    try {
      switch (command.op) {
        case 'pause':
          done = this.#local.pauseRecording(command.callId, reason);
          break;
        case 'resume':
          done = this.#local.resumeRecording(command.callId);
          break;
        case 'hangup':
          done = this.#local.hangUp(command.callId, reason);
          break;
      }
    } catch (err) {
      this.#logger?.error({ err, callId: command.callId, op: command.op }, 'remote command failed');
      return;
    }
    this.#logger?.info({ callId: command.callId, op: command.op, done }, 'remote command');
  }
}

function toSummary(c: LiveCallEntry): CallSummary {
  return {
    id: c.id,
    queue: c.queue,
    from: c.from,
    to: c.to,
    startedAt: c.startedAt,
    state: c.state,
    recording: c.recording,
    pauseCauses: [...c.pauseCauses],
  };
}
