/**
 * The named timers of one transaction (A, B, D, ... of RFC 3261 Table 4). Starting a timer that is
 * already running restarts it; `clearAll` is what every transition to Terminated calls.
 */
export class TimerSet<Name extends string> {
  readonly #handles = new Map<Name, NodeJS.Timeout>();

  start(name: Name, ms: number, fire: () => void): void {
    this.clear(name);
    const handle = setTimeout(() => {
      this.#handles.delete(name);
      fire();
    }, ms);
    handle.unref();
    this.#handles.set(name, handle);
  }

  clear(name: Name): void {
    const handle = this.#handles.get(name);
    if (handle !== undefined) {
      clearTimeout(handle);
      this.#handles.delete(name);
    }
  }

  isRunning(name: Name): boolean {
    return this.#handles.has(name);
  }

  clearAll(): void {
    for (const handle of this.#handles.values()) clearTimeout(handle);
    this.#handles.clear();
  }
}
