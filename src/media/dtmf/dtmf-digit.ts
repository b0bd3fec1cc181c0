/** A DTMF key: RFC 4733 §3.2 events 0–15. */
export type DtmfDigit =
  '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9' | '*' | '#' | 'A' | 'B' | 'C' | 'D';

/** Digits in RFC 4733 §3.2 event-code order (code 10 is `*`, 11 `#`, 12–15 `A`–`D`). */
export const DTMF_DIGITS: readonly DtmfDigit[] = [
  '0',
  '1',
  '2',
  '3',
  '4',
  '5',
  '6',
  '7',
  '8',
  '9',
  '*',
  '#',
  'A',
  'B',
  'C',
  'D',
];

/** The RFC 4733 event code of a digit. */
export function dtmfEventCode(digit: DtmfDigit): number {
  return DTMF_DIGITS.indexOf(digit);
}

/** A detected DTMF key press, from RFC 4733 events or in-band tones. */
export interface DtmfEvent {
  digit: DtmfDigit;
  /** RTP timestamp of the event (RFC 4733: of its first segment); in-band: of the first frame. */
  startTs: number;
  durationMs: number;
  /** Stream time of the start in ms, counted from the first packet/frame the detector saw. */
  at: number;
  /** RFC 4733 volume in −dBm0 (0–63); in-band: the estimated level, rounded. */
  volume: number;
}
