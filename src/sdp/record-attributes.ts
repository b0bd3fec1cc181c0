import type { Sdp } from './parse-sdp.js';

/** RFC 7866 §6.3 `a=recordpref` values: the UA's wish about being recorded. */
export type RecordPreference = 'on' | 'off' | 'pause' | 'nopreference';

/** RFC 7866 §6.2 `a=record` values: the recording state told to a record-aware UA. */
export type RecordIndication = 'on' | 'off' | 'paused';

/**
 * The `a=recordpref` of the offer (media level of m-line `index`, else session level), if any.
 * sdp-transform keeps attributes it does not know in `invalid`.
 */
export function recordPreference(sdp: Sdp, index: number): RecordPreference | undefined {
  const pick = (invalid: { value: string }[] | undefined): RecordPreference | undefined => {
    for (const { value } of invalid ?? []) {
      const m = /^recordpref:\s*(on|off|pause|nopreference)\s*$/i.exec(value);
      if (m) return m[1]!.toLowerCase() as RecordPreference;
    }
    return undefined;
  };
  return pick(sdp.media[index]?.invalid) ?? pick(sdp.invalid);
}

/**
 * Sets (replaces) `a=record:<value>` on every audio m-line of an SDP text sent to a
 * record-aware UA (RFC 7866 §6.2; the UA advertised `Supported: record-aware`, §6.1).
 */
export function withRecordIndication(text: string, value: RecordIndication): string {
  const lines = text.split('\r\n').filter((l) => !/^a=record:/i.test(l));
  const out: string[] = [];
  let inAudio = false;
  for (const line of lines) {
    if (line.startsWith('m=')) {
      if (inAudio) insertBeforeTrailingEmpty(out, `a=record:${value}`);
      inAudio = line.startsWith('m=audio ') && !line.startsWith('m=audio 0 ');
    }
    out.push(line);
  }
  if (inAudio) insertBeforeTrailingEmpty(out, `a=record:${value}`);
  return out.join('\r\n');
}

function insertBeforeTrailingEmpty(out: string[], line: string): void {
  if (out.at(-1) === '') out.splice(out.length - 1, 0, line);
  else out.push(line);
}
