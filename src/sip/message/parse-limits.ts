/**
 * Resource limits applied while parsing, so one peer cannot make holdgate spend unbounded memory
 * or CPU on a message (RFC 3261 §18.1.1 caps UDP at what a datagram holds; §21.5.14 `513`).
 */
export interface ParseLimits {
  /** Largest whole message in bytes (start line, headers, body). Default 65535. */
  readonly maxMessageBytes: number;
  /** Longest line in characters (a physical line, and a field after unfolding). Default 8192. */
  readonly maxLineLength: number;
  /** Most header field lines. Default 256. */
  readonly maxHeaders: number;
}

export const DEFAULT_PARSE_LIMITS: ParseLimits = Object.freeze({
  maxMessageBytes: 65535,
  maxLineLength: 8192,
  maxHeaders: 256,
});

/** Defaults completed with the given overrides (undefined entries ignored). */
export function resolveParseLimits(limits: Partial<ParseLimits> | undefined): ParseLimits {
  return {
    maxMessageBytes: limits?.maxMessageBytes ?? DEFAULT_PARSE_LIMITS.maxMessageBytes,
    maxLineLength: limits?.maxLineLength ?? DEFAULT_PARSE_LIMITS.maxLineLength,
    maxHeaders: limits?.maxHeaders ?? DEFAULT_PARSE_LIMITS.maxHeaders,
  };
}
