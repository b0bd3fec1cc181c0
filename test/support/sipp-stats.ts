/**
 * Parsers for the files SIPp 3.6 writes with `-trace_stat` (`-stf`, `;`-separated CSV, one row per
 * `-fd` period plus a final row) and `-trace_rtt` (`<scenario>_<pid>_rtt.csv`:
 * `Date_ms;response_time_ms;rtd_no`, one row per measured response time when `-rtt_freq 1`).
 */

/** One bucket of SIPp's "Response Time Repartition 1" (`<ResponseTimeRepartition>`). */
export interface RepartitionBucket {
  /** Inclusive lower bound in ms. */
  fromMs: number;
  /** Exclusive upper bound in ms; `null` for the last open-ended bucket. */
  toMs: number | null;
  count: number;
}

/** Cumulative counters from the last row of a SIPp statistics CSV. */
export interface SippStats {
  successfulCalls: number;
  failedCalls: number;
  /** Calls still running when SIPp stopped (e.g. on `-timeout`). */
  currentCalls: number;
  totalCallsCreated: number;
  outgoingCalls: number;
  incomingCalls: number;
  retransmissions: number;
  /** Cumulative call rate (calls per second) as SIPp reports it. */
  callRateCps: number;
  deadCallMessages: number;
  outOfCallMessages: number;
  /** Cumulative mean of response time 1 (`rtd="1"`), ms. */
  responseTime1MeanMs: number | null;
  responseTime1Repartition: RepartitionBucket[];
  /** Every non-zero cumulative `Failed*` counter by name (e.g. `FailedUnexpectedMessage`). */
  failureCounters: Record<string, number>;
  /** The raw last row keyed by column name. */
  raw: Record<string, string>;
}

/** Parses SIPp's `hh:mm:ss:uuuuuu` duration format into milliseconds. */
export function parseSippDuration(text: string): number | null {
  const m = /^(\d+):(\d+):(\d+):(\d+)$/.exec(text.trim());
  if (m === null) return null;
  const [, h = '0', min = '0', s = '0', us = '0'] = m;
  return (Number(h) * 3600 + Number(min) * 60 + Number(s)) * 1000 + Number(us) / 1000;
}

/** Parses the last data row of a `-trace_stat` CSV. Returns null when there is no data row. */
export function parseSippStatCsv(text: string): SippStats | null {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = lines[0]?.split(';');
  const last = lines.length > 1 ? lines[lines.length - 1]?.split(';') : undefined;
  if (header === undefined || last === undefined) return null;
  const raw: Record<string, string> = {};
  header.forEach((name, i) => {
    raw[name] = last[i] ?? '';
  });
  const num = (name: string): number => {
    const v = Number(raw[name]);
    return Number.isFinite(v) ? v : 0;
  };
  const failureCounters: Record<string, number> = {};
  for (const name of header) {
    const m = /^(Failed\w+)\(C\)$/.exec(name);
    if (m?.[1] !== undefined && m[1] !== 'FailedCall' && num(name) > 0) {
      failureCounters[m[1]] = num(name);
    }
  }
  return {
    successfulCalls: num('SuccessfulCall(C)'),
    failedCalls: num('FailedCall(C)'),
    currentCalls: num('CurrentCall'),
    totalCallsCreated: num('TotalCallCreated'),
    outgoingCalls: num('OutgoingCall(C)'),
    incomingCalls: num('IncomingCall(C)'),
    retransmissions: num('Retransmissions(C)'),
    callRateCps: num('CallRate(C)'),
    deadCallMessages: num('DeadCallMsgs(C)'),
    outOfCallMessages: num('OutOfCallMsgs(C)'),
    responseTime1MeanMs: parseSippDuration(raw['ResponseTime1(C)'] ?? ''),
    responseTime1Repartition: parseRepartition(header, raw, 'ResponseTimeRepartition1'),
    failureCounters,
    raw,
  };
}

function parseRepartition(
  header: readonly string[],
  raw: Record<string, string>,
  prefix: string,
): RepartitionBucket[] {
  const buckets: RepartitionBucket[] = [];
  let from = 0;
  for (const name of header) {
    if (!name.startsWith(`${prefix}_`)) continue;
    const bound = name.slice(prefix.length + 1);
    const count = Number(raw[name] ?? 0) || 0;
    if (bound.startsWith('>=')) {
      buckets.push({ fromMs: Number(bound.slice(2)), toMs: null, count });
    } else if (bound.startsWith('<')) {
      const to = Number(bound.slice(1));
      buckets.push({ fromMs: from, toMs: to, count });
      from = to;
    }
  }
  return buckets;
}

/** One measured response time from `-trace_rtt`. */
export interface RttSample {
  /** Milliseconds since SIPp started. */
  atMs: number;
  /** Response time in ms (SIPp prints whole milliseconds). */
  rttMs: number;
  /** The `rtd` counter number (1 for `start_rtd="1"`/`rtd="1"`). */
  rtd: number;
}

/** Parses a `-trace_rtt` CSV. Rows that are not numeric (the header) are skipped. */
export function parseSippRttCsv(text: string): RttSample[] {
  const out: RttSample[] = [];
  for (const line of text.split(/\r?\n/)) {
    const [at, rtt, rtd] = line.split(';').map((c) => Number(c));
    if (at === undefined || rtt === undefined || rtd === undefined) continue;
    if (!Number.isFinite(at) || !Number.isFinite(rtt) || !Number.isFinite(rtd)) continue;
    if (line.trim() === '') continue;
    out.push({ atMs: at, rttMs: rtt, rtd });
  }
  return out;
}

/** Nearest-rank percentile (p in 0..100) of a list of numbers; null for an empty list. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] ?? null;
}
