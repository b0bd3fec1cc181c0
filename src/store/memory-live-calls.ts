/**
 * The live-call registry of one process (embedded store, and tests): the same contract as the
 * Redis one, with expiry checked on read and commands delivered through an EventEmitter.
 */
import { EventEmitter } from 'node:events';
import type { LiveCall, LiveCallCommand, LiveCallEntry, LiveCallRegistry } from './types.js';

export class MemoryLiveCalls implements LiveCallRegistry {
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #sets = new Map<string, { calls: LiveCall[]; expiresAt: number }>();
  readonly #commands = new EventEmitter();

  constructor(options: { ttlMs?: number; now?: () => number } = {}) {
    this.#ttlMs = options.ttlMs ?? 10_000;
    this.#now = options.now ?? Date.now;
    this.#commands.setMaxListeners(0);
  }

  publish(instanceId: string, calls: readonly LiveCall[]): Promise<void> {
    this.#sets.set(instanceId, {
      calls: structuredClone([...calls]),
      expiresAt: this.#now() + this.#ttlMs,
    });
    return Promise.resolve();
  }

  withdraw(instanceId: string): Promise<void> {
    this.#sets.delete(instanceId);
    return Promise.resolve();
  }

  list(): Promise<LiveCallEntry[]> {
    const now = this.#now();
    const out: LiveCallEntry[] = [];
    for (const [instanceId, set] of [...this.#sets].sort(([a], [b]) => a.localeCompare(b))) {
      if (set.expiresAt <= now) {
        this.#sets.delete(instanceId);
        continue;
      }
      for (const call of set.calls) out.push({ ...structuredClone(call), instanceId });
    }
    return Promise.resolve(out);
  }

  async owner(callId: string): Promise<string | undefined> {
    return (await this.list()).find((c) => c.id === callId)?.instanceId;
  }

  sendCommand(instanceId: string, command: LiveCallCommand): Promise<boolean> {
    if (this.#commands.listenerCount(instanceId) === 0) return Promise.resolve(false);
    const copy = structuredClone(command);
    // Delivered on a later tick, like a pub/sub message.
    queueMicrotask(() => this.#commands.emit(instanceId, copy));
    return Promise.resolve(true);
  }

  onCommand(
    instanceId: string,
    handler: (command: LiveCallCommand) => void,
  ): Promise<() => Promise<void>> {
    const listener = (command: LiveCallCommand): void => {
      try {
        handler(command);
      } catch {
        // A throwing handler never unwinds the sender; the handler logs its own failures.
      }
    };
    this.#commands.on(instanceId, listener);
    return Promise.resolve(() => {
      this.#commands.off(instanceId, listener);
      return Promise.resolve();
    });
  }
}
