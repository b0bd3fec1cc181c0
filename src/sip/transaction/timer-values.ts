import type { TransactionTimerValues } from './types.js';

/** RFC 3261 §17.1.1.1 defaults. */
export const DEFAULT_TIMER_VALUES: TransactionTimerValues = Object.freeze({
  t1: 500,
  t2: 4000,
  t4: 5000,
});

/** Timer D lower bound for unreliable transports (RFC 3261 §17.1.1.2: "at least 32 seconds"). */
export const TIMER_D_UNRELIABLE_MS = 32_000;

export function resolveTimerValues(opts: {
  t1?: number | undefined;
  t2?: number | undefined;
  t4?: number | undefined;
}): TransactionTimerValues {
  const values = {
    t1: opts.t1 ?? DEFAULT_TIMER_VALUES.t1,
    t2: opts.t2 ?? DEFAULT_TIMER_VALUES.t2,
    t4: opts.t4 ?? DEFAULT_TIMER_VALUES.t4,
  };
  for (const [name, v] of Object.entries(values)) {
    if (!Number.isFinite(v) || v <= 0)
      throw new RangeError(`timer ${name} must be > 0 ms, got ${v}`);
  }
  return Object.freeze(values);
}
